/**
 * Dynamic loss scaling for mixed precision, with torch.cuda.amp.GradScaler's rule and defaults,
 * decided entirely on the device: the host never reads whether a step overflowed, so a
 * `precision: "16-mixed"` loop keeps its pace (a readback costs ~11 ms).
 */
import { runInPlace } from "../ops/_run.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { keep } from "../tensor/tidy.ts";
import { tensor } from "../tensor/creation.ts";
import { scaleUpdateKernel, unscaleKernel } from "../../kernels/grad_scale.ts";
import { checkOptions } from "../util/options.ts";
import type { Optimizer } from "./optimizer.ts";

/** Options of `GradScaler` (torch's names in camelCase, torch's defaults). */
export interface GradScalerOptions {
  /** The first scale; default 65536 (2^16). */
  initScale?: number;
  /** Factor applied after `growthInterval` steps without overflow; default 2. */
  growthFactor?: number;
  /** Factor applied on overflow; default 0.5. */
  backoffFactor?: number;
  /** Clean steps before the scale grows; default 2000. */
  growthInterval?: number;
}

const OPTIONS = ["initScale", "growthFactor", "backoffFactor", "growthInterval"];

/** The scaler's state as torch's `GradScaler.state_dict()` names it. */
export interface GradScalerState {
  /** The current scale. */
  scale: number;
  /** `growthFactor`. */
  growth_factor: number;
  /** `backoffFactor`. */
  backoff_factor: number;
  /** `growthInterval`. */
  growth_interval: number;
  /** Clean steps since the last overflow or growth. */
  _growth_tracker: number;
}

/**
 * Scales a loss before `backward()` so small gradients survive half precision, then unscales the
 * gradients, skips the optimizer step when one is not finite, and adapts the scale: halved on
 * overflow, doubled after `growthInterval` clean steps.
 *
 * Departure from torch, because the decision stays on the device: a skipped step still counts in
 * the optimizer's host-side step number (Adam's bias correction then uses t + 1 for the steps
 * after it; the moments of a skipped first step start from zero).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const w = tensor([1, 2], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.5 });
 * const scaler = new optim.GradScaler({ initScale: 1024 });
 * scaler.scale(w.mul(w).sum()).backward(); // gradient 2w, scaled by 1024
 * scaler.step(opt); // unscales, then steps: w - 0.5 * 2w = 0
 * scaler.update();
 * console.log(await w.data(), await scaler.getScale()); // Float32Array(2) [ 0, 0 ] 1024
 * ```
 */
export class GradScaler {
  /** Factor the scale grows by after `growthInterval` clean steps. */
  readonly growthFactor: number;
  /** Factor the scale shrinks by on overflow. */
  readonly backoffFactor: number;
  /** Clean steps before the scale grows. */
  readonly growthInterval: number;
  #scale: Tensor;
  #clean: Tensor;
  readonly #found: Tensor;
  readonly #unscaled = new Set<Optimizer<{ lr: number }>>();

  /** Checks the options (names and ranges, as torch) and puts the state on the device. */
  constructor(options: GradScalerOptions = {}) {
    checkOptions("GradScaler", options, OPTIONS);
    const initScale = options.initScale ?? 65536;
    this.growthFactor = options.growthFactor ?? 2;
    this.backoffFactor = options.backoffFactor ?? 0.5;
    this.growthInterval = options.growthInterval ?? 2000;
    const positive = (name: string, v: number) => {
      if (!(Number.isFinite(v) && v > 0)) {
        throw new RangeError(`GradScaler ${name} must be a positive number, got ${v}`);
      }
    };
    positive("initScale", initScale);
    if (!(this.growthFactor > 1)) {
      throw new RangeError(`GradScaler growthFactor should be > 1, got ${this.growthFactor}`);
    }
    if (!(this.backoffFactor > 0 && this.backoffFactor < 1)) {
      throw new RangeError(`GradScaler backoffFactor should be < 1, got ${this.backoffFactor}`);
    }
    if (!(Number.isInteger(this.growthInterval) && this.growthInterval > 0)) {
      throw new RangeError(
        `GradScaler growthInterval should be a positive integer, got ${this.growthInterval}`,
      );
    }
    this.#scale = keep(tensor([initScale]));
    this.#clean = keep(tensor([0]));
    this.#found = keep(tensor([0]));
  }

  /** `loss` times the current scale (a device multiply; the scale is never read back). */
  scale(loss: Tensor): Tensor {
    return loss.mul(this.#scale.reshape(loss.shape.map(() => 1)));
  }

  /**
   * Divides the gradients of `optimizer`'s parameters by the scale in place and records whether
   * any is not finite. Call it before clipping gradients; `step()` calls it when you did not.
   */
  unscale(optimizer: Optimizer<{ lr: number }>): void {
    if (this.#unscaled.has(optimizer)) {
      throw new Error(
        "GradScaler.unscale() has already been called on this optimizer since the last update()",
      );
    }
    this.#unscaled.add(optimizer);
    for (const group of optimizer.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (!g || g.size === 0) continue;
        runInPlace(unscaleKernel(g.size), [g, this.#scale, this.#found]);
      }
    }
  }

  /** Unscales (unless done), then steps `optimizer`, which does nothing if a gradient overflowed. */
  step(optimizer: Optimizer<{ lr: number }>): void {
    if (!this.#unscaled.has(optimizer)) this.unscale(optimizer);
    optimizer.step({ skipIf: this.#found });
  }

  /** Halves the scale after an overflow, grows it after `growthInterval` clean steps. */
  update(): void {
    const params = new Uint32Array(
      new Float32Array([this.growthFactor, this.backoffFactor, this.growthInterval]).buffer,
    );
    runInPlace({ ...scaleUpdateKernel(), params }, [this.#scale, this.#clean, this.#found]);
    this.#unscaled.clear();
  }

  /** The current scale (one readback). */
  async getScale(): Promise<number> {
    return (await this.#scale.data())[0];
  }

  /** torch's state dict: the scale, the factors, the interval and the clean-step count. */
  async stateDict(): Promise<GradScalerState> {
    const [scale, clean] = await Promise.all([this.#scale.data(), this.#clean.data()]);
    return {
      scale: scale[0],
      growth_factor: this.growthFactor,
      backoff_factor: this.backoffFactor,
      growth_interval: this.growthInterval,
      _growth_tracker: clean[0],
    };
  }

  /** Restores the scale and the clean-step count of `state` (from `stateDict()`). */
  loadStateDict(state: GradScalerState): void {
    for (const key of ["scale", "_growth_tracker"] as const) {
      if (typeof state[key] !== "number" || !Number.isFinite(state[key])) {
        throw new TypeError(`GradScaler state '${key}' must be a finite number, got ${state[key]}`);
      }
    }
    // Fresh tensors rather than writes into the old ones: recorded work may still read those.
    this.#scale.dispose();
    this.#clean.dispose();
    this.#scale = keep(tensor([state.scale]));
    this.#clean = keep(tensor([state._growth_tracker]));
  }
}
