/** What an optimizer asks `step()` to run for one parameter. */
import type { KernelSpec } from "../../kernels/kernel_spec.ts";
import type { Tensor } from "../tensor/tensor.ts";

/**
 * The update one parameter asks for (what `Optimizer.update` returns): `step()` batches the
 * updates of equal variant and hyperparameters into one dispatch over many parameters.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const w = tensor([1, 2], { requiresGrad: true });
 * // SGD describes each parameter's update as: variant, kernel builder, hyperparameters, tensors.
 * const update: optim.FusedUpdate["variant"] = "sgd|momentum=false|nesterov=false";
 * new optim.SGD([w], { lr: 0.1 }).step();
 * console.log(update); // sgd|momentum=false|nesterov=false
 * ```
 */
export interface FusedUpdate {
  /** Names the WGSL variant (e.g. `adam|amsgrad=true`); only equal variants share a dispatch. */
  readonly variant: string;
  /**
   * Builds the variant's kernel over tensors of these sizes, one per parameter, in order; with
   * `skip`, the kernel binds an overflow flag after the tensors and does nothing when it is set.
   */
  readonly kernel: (sizes: readonly number[], skip: boolean) => KernelSpec;
  /** The f32 hyperparameters (params slots 1..H); only equal ones share a dispatch. */
  readonly hyper: readonly number[];
  /** The gradient, the parameter, then the state tensors, bound in that order. */
  readonly tensors: readonly Tensor[];
}
