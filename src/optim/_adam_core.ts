/** The shared step of Adam and AdamW: they differ only in where weight decay applies. */
import type { Tensor } from "../tensor/tensor.ts";
import { adamKernel } from "../../kernels/optim.ts";
import {
  type FusedUpdate,
  Optimizer,
  type OptimizerArgs,
  type ParamGroup,
  type ParamState,
} from "./optimizer.ts";
import { checkBoolean, checkNumber } from "./_validate.ts";

/** Hyperparameters of `Adam` and `AdamW` (torch's names in camelCase). */
export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr: number;
  /** Decay rates of the first and second moment averages. Default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator for stability. Default 1e-8. */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay: number;
  /** Keeps the running maximum of the second moment (AMSGrad). Default false. */
  amsgrad: boolean;
  /** Ascends instead of descending. Default false. */
  maximize: boolean;
}

/**
 * The shared base of `Adam` and `AdamW`: Adam's update, with weight decay either added to the
 * gradient (Adam) or applied to the parameter (AdamW).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const opt = new optim.AdamW([tensor([1], { requiresGrad: true })]);
 * console.log(opt instanceof optim.AdamCore); // true
 * ```
 */
export abstract class AdamCore extends Optimizer<AdamOptions> {
  /** Whether weight decay shrinks the parameter directly (AdamW) instead of the gradient. */
  protected abstract readonly decoupled: boolean;

  /**
   * Builds the groups from either constructor form (`args`) with Adam's defaults; only the
   * default `weightDecay` differs between Adam and AdamW. `name` appears in error messages.
   */
  protected constructor(name: string, weightDecay: number, args: OptimizerArgs<AdamOptions>) {
    super(name, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay,
      amsgrad: false,
      maximize: false,
    }, ...args);
  }

  /** Checks one group's hyperparameters. */
  protected override validate(g: ParamGroup<AdamOptions>): void {
    // Runs from the base constructor, before subclass fields exist: the class names the owner.
    const name = this.constructor.name;
    checkNumber(name, "lr", g.lr);
    checkNumber(name, "eps", g.eps);
    checkNumber(name, "weightDecay", g.weightDecay);
    checkBoolean(name, "amsgrad", g.amsgrad);
    checkBoolean(name, "maximize", g.maximize);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) {
      throw new TypeError(`${name}: 'betas' must be two numbers, got ${JSON.stringify(g.betas)}`);
    }
    checkNumber(name, "betas[0]", g.betas[0], { below: 1 });
    checkNumber(name, "betas[1]", g.betas[1], { below: 1 });
  }

  /** Advances the step count and describes the fused update of one parameter. */
  protected override update(
    p: Tensor,
    grad: Tensor,
    g: ParamGroup<AdamOptions>,
    state: ParamState,
  ): FusedUpdate {
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    const names = ["exp_avg", "exp_avg_sq", ...(g.amsgrad ? ["max_exp_avg_sq"] : [])];
    const { tensors: states, fresh } = this.stateBuffers(state, names, p);
    const [beta1, beta2] = g.betas;
    // Bias corrections in double precision on the host, as torch computes its Python floats.
    const stepSize = g.lr / (1 - beta1 ** step);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
    const hyper = [
      stepSize,
      bc2Sqrt,
      g.eps,
      this.decoupled ? 0 : g.weightDecay,
      this.decoupled ? 1 - g.lr * g.weightDecay : 1,
      beta1,
      beta2,
      g.maximize ? -1 : 1,
      fresh ? 1 : 0,
    ];
    const amsgrad = g.amsgrad;
    return {
      variant: `adam|amsgrad=${amsgrad}`,
      kernel: (sizes, skip) => adamKernel(sizes, amsgrad, skip),
      hyper,
      tensors: [grad, p, ...states],
    };
  }
}
