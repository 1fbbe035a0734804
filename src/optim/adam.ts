/** Adam (Kingma & Ba), with optional AMSGrad and L2 weight decay added to the gradient. */
import { AdamCore, type AdamOptions } from "./_adam_core.ts";
import type { OptimizerArgs } from "./optimizer.ts";

export type { AdamOptions };

/**
 * Adam as torch 1.13's single-tensor path computes it, with fused dispatches over many
 * parameters at once.
 * Build it as `new Adam(params, {lr})` or `new Adam({params, lr})`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const w = tensor([1, -2, 3], { requiresGrad: true });
 * const opt = new optim.Adam([w], { lr: 0.01, betas: [0.9, 0.99] });
 * w.mul(w).sum().backward();
 * opt.step();
 * console.log(await w.data());
 * // ≈ Float32Array(3) [0.99, -1.99, 2.99]: each entry moved by lr toward 0
 * ```
 */
export class Adam extends AdamCore {
  /** Adam adds weight decay to the gradient. */
  protected override readonly decoupled = false;

  /** `(params, options?)`, or one options object holding `params` too (see `OptimizerArgs`). */
  constructor(...args: OptimizerArgs<AdamOptions>) {
    super("Adam", 0, args);
  }
}
