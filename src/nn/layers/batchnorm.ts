/** BatchNorm1d and BatchNorm2d: per-channel normalisation with running statistics as buffers. */
import type { Tensor } from "../../tensor/tensor.ts";
import { ones, zeros } from "../../tensor/creation.ts";
import { assign } from "../../ops/assign.ts";
import { noGrad } from "../../autograd/grad_mode.ts";
import { batchNorm } from "../functional/norm.ts";
import { Module } from "../module.ts";
import { checkInt } from "./_params.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `nn.BatchNorm1d` and `nn.BatchNorm2d`. */
export interface BatchNormLayerOptions {
  /** Channels (C of [N, C, ...]). */
  numFeatures: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of each batch in the running averages (default 0.1). */
  momentum?: number;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
}

/** Every option name of `BatchNormLayerOptions` (add a name here when adding an option above). */
const BATCH_NORM_OPTIONS = [
  "numFeatures",
  "eps",
  "momentum",
  "affine",
  "trackRunningStats",
] as const satisfies readonly (keyof BatchNormLayerOptions)[];

/** The shared implementation; the subclasses fix which input ranks they accept. */
abstract class BatchNormBase extends Module {
  /** Channels. */
  readonly numFeatures: number;
  /** Variance epsilon. */
  readonly eps: number;
  /** Running-average weight of each batch. */
  readonly momentum: number;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** Whether running statistics are kept. */
  readonly trackRunningStats: boolean;
  /** [numFeatures] scale, ones at first (null when not affine). */
  declare weight: Tensor | null;
  /** [numFeatures] shift, zeros at first (null when not affine). */
  declare bias: Tensor | null;

  constructor(options: BatchNormLayerOptions) {
    super();
    const name = new.target.name;
    checkOptions(name, options, BATCH_NORM_OPTIONS);
    this.numFeatures = checkInt(name, "numFeatures", options?.numFeatures, 1);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    if (!(this.eps > 0)) throw new Error(`${name}: eps must be positive, got ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) {
      throw new Error(`${name}: momentum must be in [0, 1], got ${this.momentum}`);
    }
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const c = this.numFeatures;
    this.registerParameter("weight", this.affine ? ones([c]) : null);
    this.registerParameter("bias", this.affine ? zeros([c]) : null);
    // PyTorch's buffer names, so state dicts match torch's keys.
    const track = this.trackRunningStats;
    this.registerBuffer("running_mean", track ? zeros([c]) : null);
    this.registerBuffer("running_var", track ? ones([c]) : null);
    this.registerBuffer("num_batches_tracked", track ? zeros([], { dtype: "int32" }) : null);
  }

  /** [numFeatures] running mean (null without tracking). */
  get runningMean(): Tensor | null {
    return this.getBuffer("running_mean");
  }

  /** [numFeatures] running unbiased variance (null without tracking). */
  get runningVar(): Tensor | null {
    return this.getBuffer("running_var");
  }

  /** Training batches seen (int32 scalar; null without tracking). */
  get numBatchesTracked(): Tensor | null {
    return this.getBuffer("num_batches_tracked");
  }

  /** The input ranks this layer accepts, and how to describe them in errors. */
  protected abstract checkInput(x: Tensor): void;

  /** Normalises with batch statistics while training (updating the running ones), else running. */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new Error(
        `${this.constructor.name} expects ${this.numFeatures} channels in dim 1, got shape [${x.shape}]`,
      );
    }
    const useBatchStats = this.training || !this.trackRunningStats;
    const counter = this.numBatchesTracked;
    if (this.training && counter) {
      noGrad(() => {
        const next = counter.add(1);
        assign(counter, next);
        next.dispose();
      });
    }
    return batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: this.momentum,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, track_running_stats=${this.trackRunningStats}`;
  }
}

/**
 * Batch normalisation of [N, C] or [N, C, L] inputs over the batch (and length). Buffers
 * `running_mean`, `running_var` and `num_batches_tracked` are in the state dict as in PyTorch.
 *
 * @example
 * ```ts
 * import { nn, randn } from "lumen";
 * const bn = new nn.BatchNorm1d({ numFeatures: 4 });
 * console.log(bn.call(randn([8, 4])).shape, Object.keys(bn.stateDict()));
 * // [8, 4] ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
 * ```
 */
export class BatchNorm1d extends BatchNormBase {
  /** Throws unless `x` has a rank this layer accepts. */
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) {
      throw new Error(`BatchNorm1d expects a 2-D or 3-D input [N, C(, L)], got shape [${x.shape}]`);
    }
  }
}

/**
 * Batch normalisation of [N, C, H, W] inputs over the batch and the pixels, with running
 * statistics as buffers (`running_mean`, `running_var`, `num_batches_tracked`).
 *
 * @example
 * ```ts
 * import { nn, randn } from "lumen";
 * const bn = new nn.BatchNorm2d({ numFeatures: 3 });
 * const y = bn.call(randn([2, 3, 4, 4]));
 * bn.eval(); // from now on the running statistics are used
 * console.log(y.shape); // [2, 3, 4, 4]
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  /** Throws unless `x` has a rank this layer accepts. */
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) {
      throw new Error(`BatchNorm2d expects a 4-D input [N, C, H, W], got shape [${x.shape}]`);
    }
  }
}
