/**
 * The device half of collation: every stacked host array becomes one tensor (one upload per
 * array per batch), uint8 images travel packed four to a word and are widened on the device, and
 * per-sample tensors are stacked by a concatenation kernel.
 *
 * @module
 */
import { getDevice } from "../device/default_device.ts";
import { Tensor } from "../tensor/tensor.ts";
import { tensor } from "../tensor/creation.ts";
import { runKernel } from "../ops/_run.ts";
import { concatKernel, MAX_CONCAT_INPUTS, unpackBytesKernel } from "../../kernels/upload.ts";
import { isHostArray } from "./host_array.ts";
import { isPendingStack } from "./_batch_helpers.ts";

/** A uint8 array on the device as float32 values 0..255: a quarter of the upload of floats. */
export function uploadBytes(data: Uint8Array, shape: readonly number[]): Tensor {
  const n = data.length;
  const words = new Uint32Array(Math.max(1, Math.ceil(n / 4)));
  new Uint8Array(words.buffer).set(data);
  const packed = Tensor.fromBuffer(getDevice().upload(words), [words.length], "int32");
  const out = runKernel(unpackBytesKernel(n), [packed], shape, "float32");
  packed.dispose();
  return out;
}

/** Concatenates contiguous tensors end to end into a tensor of `shape`. */
function concat(parts: readonly Tensor[], shape: readonly number[]): Tensor {
  const dtype = parts[0].dtype;
  if (parts.length <= MAX_CONCAT_INPUTS) {
    return runKernel(concatKernel(parts.map((p) => p.size), dtype), parts, shape, dtype);
  }
  const groups: Tensor[] = [];
  for (let i = 0; i < parts.length; i += MAX_CONCAT_INPUTS) {
    const g = parts.slice(i, i + MAX_CONCAT_INPUTS);
    const n = g.reduce((a, p) => a + p.size, 0);
    groups.push(concat(g, [n]));
  }
  const out = concat(groups, shape);
  for (const g of groups) g.dispose();
  return out;
}

/** Stacks same-shape tensors along a new first dim. */
export function stackTensors(items: readonly Tensor[], where = "batch"): Tensor {
  const first = items[0];
  items.forEach((t, i) => {
    if (
      t.dtype !== first.dtype || t.shape.length !== first.shape.length ||
      t.shape.some((d, k) => d !== first.shape[k])
    ) {
      throw new Error(
        `Cannot collate ${where}: sample ${i} is a tensor [${t.shape}] ${t.dtype} but sample 0 ` +
          `is [${first.shape}] ${first.dtype}`,
      );
    }
  });
  const out = concat(items, [items.length, ...first.shape]);
  // Stacking keeps the values, so the parts' host-known ranges bound the whole.
  if (items.every((t) => t.hostRange)) {
    let min = Infinity, max = -Infinity;
    for (const t of items) {
      min = Math.min(min, t.hostRange!.min);
      max = Math.max(max, t.hostRange!.max);
    }
    out.hostRange = { min, max };
  }
  return out;
}

/**
 * Uploads a host batch: each stacked host array becomes one tensor, device-stack markers are
 * stacked on the device, and everything else keeps its structure. Int32 tensors (class labels)
 * record their smallest and largest value in `hostRange`, read on the host, so a loss can check
 * labels without reading the device.
 */
export function uploadBatch(batch: unknown): unknown {
  if (batch === null || batch === undefined || typeof batch !== "object") return batch;
  if (isHostArray(batch)) {
    if (batch.data instanceof Uint8Array) return uploadBytes(batch.data, batch.shape);
    return tensor(batch.data, { shape: batch.shape });
  }
  if (isPendingStack(batch)) return stackTensors(batch.pendingStack as Tensor[]);
  if (Array.isArray(batch)) return batch.map(uploadBatch);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(batch)) out[k] = uploadBatch(v);
  return out;
}
