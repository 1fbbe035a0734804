/**
 * `packValues`: many small device tensors copied end to end into one flat tensor, so that one
 * readback (which costs ~11 ms whatever its size) brings them all to the host.
 *
 * @module
 */
import { getDevice } from "../device/default_device.ts";
import { Tensor } from "../tensor/tensor.ts";

/**
 * One float32 tensor holding the elements of every tensor of `parts`, in order (no autograd;
 * int32 parts are copied bit for bit, so read them back with an Int32Array view). An empty list
 * gives an empty tensor.
 */
export function packValues(parts: readonly Tensor[]): Tensor {
  const device = getDevice();
  const total = parts.reduce((n, t) => n + t.size, 0);
  const out = Tensor.fromBuffer(device.alloc(Math.max(total, 1) * 4), [total], "float32");
  let offset = 0;
  for (const t of parts) {
    if (t.size > 0) device.copy(t.buffer, out.buffer, t.size * 4, 0, offset * 4);
    offset += t.size;
  }
  return out;
}
