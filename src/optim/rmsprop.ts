/** RMSprop (Hinton), optionally centered and with momentum. */
import type { Tensor } from "../tensor/tensor.ts";
import { optimParams, rmspropKernel } from "../../kernels/optim.ts";
import { Optimizer, type OptimizerArgs, type ParamGroup, type ParamState } from "./optimizer.ts";
import { dispatchUpdate } from "./_dispatch.ts";
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
 * RMSprop as torch 1.13 computes it; one fused dispatch per parameter per step.
 * Build it as `new RMSprop(params, {lr})` or `new RMSprop({params, lr})`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const w = tensor([1, -2, 3], { requiresGrad: true });
 * const opt = new optim.RMSprop([w], { lr: 0.01, centered: true, momentum: 0.9 });
 * w.mul(w).sum().backward();
 * opt.step();
 * console.log(await w.data());
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

  /** Records the fused update of one parameter. */
  protected override update(
    p: Tensor,
    grad: Tensor,
    g: ParamGroup<RMSpropOptions>,
    state: ParamState,
  ): void {
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    const momentum = g.momentum > 0;
    const states = [this.buffer(state, "square_avg", p)];
    if (momentum) states.push(this.buffer(state, "momentum_buffer", p));
    if (g.centered) states.push(this.buffer(state, "grad_avg", p));
    const params = optimParams(p.size, [
      g.lr,
      g.alpha,
      g.eps,
      g.weightDecay,
      g.momentum,
      g.maximize ? -1 : 1,
    ]);
    const kernel = rmspropKernel(p.size, { centered: g.centered, momentum });
    dispatchUpdate({ ...kernel, params }, grad, p, states);
  }
}
