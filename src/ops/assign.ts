/**
 * `assign`: copies a tensor's values into an existing tensor, in place (torch's `copy_` under
 * `no_grad`), so that everything holding the target (an optimizer, a module, a view) sees the
 * new values.
 *
 * @module
 */
import { getDevice } from "../device/default_device.ts";
import type { Tensor } from "../tensor/tensor.ts";

/**
 * Writes the elements of `source` into `target` (same dtype and number of elements; the shapes
 * may differ, as a flat copy) and returns `target`. No autograd: the target keeps its identity,
 * `requiresGrad` and graph node. Its `hostRange` becomes the source's (the range of the values
 * it now holds, or none). The copy is ordered with the recorded dispatches.
 */
export function assign(target: Tensor, source: Tensor): Tensor {
  if (target.dtype !== source.dtype || target.size !== source.size) {
    throw new Error(
      `assign: cannot copy a ${source.dtype} tensor of shape [${source.shape}] into a ` +
        `${target.dtype} tensor of shape [${target.shape}]; expected the same dtype and number ` +
        "of elements",
    );
  }
  // A view of the same memory already holds the values (and a copy onto itself is invalid).
  if (target.buffer !== source.buffer && target.size > 0) {
    target.storage.settleReaders(); // lazy tensors reading the target keep its old values
    getDevice().copy(source.buffer, target.buffer, target.size * 4);
  }
  if (source.hostRange) target.hostRange = source.hostRange;
  else delete target.hostRange;
  return target;
}
