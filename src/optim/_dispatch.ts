/** Runs an optimizer kernel (kernels/optim.ts) in place on a parameter and its state. */
import { getDevice } from "../device/default_device.ts";
import type { KernelSpec } from "../device/device.ts";
import type { Tensor } from "../tensor/tensor.ts";

/** One fused update: binds the gradient, the parameter, then the state buffers, in that order. */
export function dispatchUpdate(
  kernel: KernelSpec,
  grad: Tensor,
  param: Tensor,
  states: readonly Tensor[],
): void {
  getDevice().run(kernel, [grad.buffer, param.buffer, ...states.map((s) => s.buffer)]);
}
