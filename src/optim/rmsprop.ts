/** RMSprop (Hinton), optionally centered and with momentum. */
import type { Tensor } from "../tensor/tensor.ts";
import { rmspropKernel } from "../../kernels/optim.ts";
import {
  type FusedUpdate,
  Optimizer,
  type OptimizerArgs,
  type ParamGroup,
  type ParamState,
} from "./optimizer.ts";
import { checkBoolean, checkNumber } from "./_validate.ts";

/** Hyperparameters of `RMSprop` (torch's names in camelCase). */
export interface RMSpropOptions {
  /** Learning rate. Default 1e-2. */
  lr: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  alpha: number;
  /** Added to the denominator for stability. Default 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Momentum factor; 0 keeps no buffer. Default 0. */
  momentum: number;
  /** Normalizes by the estimated variance instead of the raw second moment. Default false. */
  centered: boolean;
  /** Ascends instead of descending. Default false. */
  maximize: boolean;
}

/**
 * RMSprop as torch 1.13 computes it; fused dispatches that update many parameters at once.
 * Build it as `new RMSprop(params, {lr})` or `new RMSprop({params, lr})`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const w = tensor([1, -2, 3], { requiresGrad: true });
 * const opt = new optim.RMSprop([w], { lr: 0.01, centered: true, momentum: 0.9 });
 * w.mul(w).sum().backward();
 * opt.step();
 * console.log(await w.data()); // ≈ Float32Array(3) [0.8995, -1.8995, 2.8995]
 * ```
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  /** `(params, options?)`, or one options object holding `params` too (see `OptimizerArgs`). */
  constructor(...args: OptimizerArgs<RMSpropOptions>) {
    super("RMSprop", {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    }, ...args);
  }

  /** Checks one group's hyperparameters. */
  protected override validate(g: ParamGroup<RMSpropOptions>): void {
    checkNumber("RMSprop", "lr", g.lr);
    checkNumber("RMSprop", "alpha", g.alpha);
    checkNumber("RMSprop", "eps", g.eps);
    checkNumber("RMSprop", "weightDecay", g.weightDecay);
    checkNumber("RMSprop", "momentum", g.momentum);
    checkBoolean("RMSprop", "centered", g.centered);
    checkBoolean("RMSprop", "maximize", g.maximize);
  }

  /** Advances the step count and describes the fused update of one parameter. */
  protected override update(
    p: Tensor,
    grad: Tensor,
    g: ParamGroup<RMSpropOptions>,
    state: ParamState,
  ): FusedUpdate {
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    const momentum = g.momentum > 0;
    const names = [
      "square_avg",
      ...(momentum ? ["momentum_buffer"] : []),
      ...(g.centered ? ["grad_avg"] : []),
    ];
    const { tensors: states, fresh } = this.stateBuffers(state, names, p);
    const hyper = [
      g.lr,
      g.alpha,
      g.eps,
      g.weightDecay,
      g.momentum,
      g.maximize ? -1 : 1,
      fresh ? 1 : 0,
    ];
    const variant = { centered: g.centered, momentum };
    return {
      variant: `rmsprop|centered=${variant.centered}|momentum=${momentum}`,
      kernel: (sizes, skip) => rmspropKernel(sizes, variant, skip),
      hyper,
      tensors: [grad, p, ...states],
    };
  }
}
