/** Adam (Kingma & Ba), with optional AMSGrad and L2 weight decay added to the gradient. */
import { AdamCore, type AdamOptions } from "./_adam_core.ts";
import { optimizerArgs, type OptimizerConfig, type ParamsInput } from "./optimizer.ts";

export type { AdamOptions };

/**
 * Adam as torch 1.13's single-tensor path computes it; one fused dispatch per parameter.
 * Build it as `new Adam(params, {lr})` or `new Adam({params, lr})`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "./mod.ts";
 * const w = tensor([1, -2, 3], { requiresGrad: true });
 * const opt = new optim.Adam([w], { lr: 0.01, betas: [0.9, 0.99] });
 * w.mul(w).sum().backward();
 * opt.step();
 * console.log(await w.data()); // each entry moved by about 0.01 toward 0
 * ```
 */
export class Adam extends AdamCore {
  /** Adam adds weight decay to the gradient. */
  protected override readonly decoupled = false;

  /** `params`: tensors or parameter groups; `options`: defaults for every group. */
  constructor(params: ParamsInput<AdamOptions>, options?: Partial<AdamOptions>);
  /** One options object holding `params` too (how a YAML config builds it). */
  constructor(config: OptimizerConfig<AdamOptions>);
  constructor(
    first: ParamsInput<AdamOptions> | OptimizerConfig<AdamOptions>,
    second?: Partial<AdamOptions>,
  ) {
    const defaults: AdamOptions = {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    };
    const { params, options } = optimizerArgs("Adam", defaults, first, second);
    super("Adam", { ...defaults, ...options }, params);
  }
}
