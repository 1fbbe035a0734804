/** AdamW (Loshchilov & Hutter): Adam with weight decay applied to the parameter, not the gradient. */
import { AdamCore, type AdamOptions } from "./_adam_core.ts";
import type { OptimizerArgs } from "./optimizer.ts";

/**
 * AdamW as torch 1.13 computes it (`param *= 1 - lr * weightDecay`, then Adam's step) with fused
 * dispatches over many parameters at once. Default `weightDecay` is 1e-2.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const w = tensor([1, -2, 3], { requiresGrad: true });
 * const opt = new optim.AdamW({ params: [w], lr: 0.01, weightDecay: 0.1 });
 * w.mul(w).sum().backward();
 * opt.step();
 * console.log(await w.data()); // ≈ Float32Array(3) [0.989, -1.988, 2.987]
 * ```
 */
export class AdamW extends AdamCore {
  /** AdamW shrinks the parameter itself. */
  protected override readonly decoupled = true;

  /** `(params, options?)`, or one options object holding `params` too (see `OptimizerArgs`). */
  constructor(...args: OptimizerArgs<AdamOptions>) {
    super("AdamW", 1e-2, args);
  }
}
