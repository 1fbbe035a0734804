/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay. */
import type { Tensor } from "../tensor/tensor.ts";
import { sgdKernel } from "../../kernels/optim.ts";
import {
  type FusedUpdate,
  Optimizer,
  type OptimizerArgs,
  type ParamGroup,
  type ParamState,
} from "./optimizer.ts";
import { checkBoolean, checkNumber } from "./_validate.ts";

/** Hyperparameters of `SGD` (torch's names in camelCase). */
export interface SGDOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor; 0 keeps no buffer. Default 0. */
  momentum: number;
  /** Dampening of the momentum's gradient term. Default 0. */
  dampening: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov: boolean;
  /** Ascends instead of descending. Default false. */
  maximize: boolean;
}

/**
 * SGD as torch 1.13 computes it; fused dispatches that update many parameters at once.
 * Build it as `new SGD(params, {lr})` or, as a config does, `new SGD({params, lr})`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const w = tensor([1, -2], { requiresGrad: true });
 * const opt = new optim.SGD({ params: [w], lr: 0.1, momentum: 0.9 });
 * for (let i = 0; i < 3; i++) {
 *   w.mul(w).sum().backward();
 *   opt.step();
 *   opt.zeroGrad();
 * }
 * console.log(await w.data()); // ≈ Float32Array(2) [0.062, -0.124]
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  /** `(params, options?)`, or one options object holding `params` too (see `OptimizerArgs`). */
  constructor(...args: OptimizerArgs<SGDOptions>) {
    super("SGD", {
      lr: NaN,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
    }, ...args);
  }

  /** Checks one group's hyperparameters. */
  protected override validate(g: ParamGroup<SGDOptions>): void {
    if (typeof g.lr === "number" && Number.isNaN(g.lr)) {
      throw new TypeError("SGD needs a learning rate: set 'lr' in the options or in every group");
    }
    checkNumber("SGD", "lr", g.lr);
    checkNumber("SGD", "momentum", g.momentum);
    checkNumber("SGD", "dampening", g.dampening);
    checkNumber("SGD", "weightDecay", g.weightDecay);
    checkBoolean("SGD", "maximize", g.maximize);
    if (checkBoolean("SGD", "nesterov", g.nesterov) && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new RangeError(
        `SGD: Nesterov momentum needs momentum > 0 and dampening 0, got momentum ` +
          `${g.momentum} and dampening ${g.dampening}`,
      );
    }
  }

  /** Describes the fused update of one parameter (making its momentum buffer at first use). */
  protected override update(
    p: Tensor,
    grad: Tensor,
    g: ParamGroup<SGDOptions>,
    state: ParamState,
  ): FusedUpdate {
    const momentum = g.momentum !== 0;
    const first = momentum && state.momentum_buffer === undefined;
    // The first step copies the update into the buffer, so it needs no zero fill.
    const states = momentum ? [this.buffer(state, "momentum_buffer", p, false)] : [];
    const variant = { momentum, nesterov: g.nesterov };
    const hyper = [
      g.lr,
      g.weightDecay,
      g.maximize ? -1 : 1,
      g.momentum,
      1 - g.dampening,
      first ? 1 : 0,
    ];
    return {
      variant: `sgd|momentum=${momentum}|nesterov=${variant.nesterov}`,
      kernel: (sizes, skip) => sgdKernel(sizes, variant, skip),
      hyper,
      tensors: [grad, p, ...states],
    };
  }
}
