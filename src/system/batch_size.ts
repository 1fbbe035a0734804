/** The number of samples in a batch, as the weight of its logged values. */
import { Tensor } from "../tensor/tensor.ts";
import { isDict } from "./_describe.ts";

function firstDim(value: unknown, depth = 0): number | null {
  if (value instanceof Tensor) return value.ndim > 0 ? value.shape[0] : null;
  if (depth > 4) return null;
  const items = Array.isArray(value) ? value : isDict(value) ? Object.values(value) : [];
  for (const item of items) {
    const n = firstDim(item, depth + 1);
    if (n !== null) return n;
  }
  return null;
}

/**
 * The first dimension of the input tensor (or of the first tensor with a dimension found in the
 * input, then in the batch), else 1. It is the real size, not the loader's `batch_size`, so a
 * short last batch weighs less in epoch means (Lightning, given Lighter's `batch_size`, weighs
 * it as a full one).
 */
export function batchSizeOf(input: unknown, batch: unknown): number {
  return firstDim(input) ?? firstDim(batch) ?? 1;
}
