/** AdamW (Loshchilov & Hutter): Adam with weight decay applied to the parameter, not the gradient. */
import { AdamCore, type AdamOptions } from "./_adam_core.ts";
import { optimizerArgs, type OptimizerConfig, type ParamsInput } from "./optimizer.ts";

/**
 * AdamW as torch 1.13 computes it (`param *= 1 - lr * weightDecay`, then Adam's step); one fused
 * dispatch per parameter. Default `weightDecay` is 1e-2.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "./mod.ts";
 * const w = tensor([1, -2, 3], { requiresGrad: true });
 * const opt = new optim.AdamW({ params: [w], lr: 0.01, weightDecay: 0.1 });
 * w.mul(w).sum().backward();
 * opt.step();
 * console.log(await w.data());
 * ```
 */
export class AdamW extends AdamCore {
  /** AdamW shrinks the parameter itself. */
  protected override readonly decoupled = true;

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
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
    };
    const { params, options } = optimizerArgs("AdamW", defaults, first, second);
    super("AdamW", { ...defaults, ...options }, params);
  }
}
