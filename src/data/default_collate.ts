/** The loader's default collate function. */
import { collateHost } from "./collate.ts";
import { uploadBatch } from "./upload.ts";

/**
 * The default collate: stacks samples on the host, then uploads each stacked array as one
 * tensor. `[input, target]` samples with integer labels give `[Tensor [B, ...], Tensor int32 [B]]`.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const [x, y] = data.defaultCollate([
 *   [data.hostArray(new Float32Array([1, 2]), [2]), 0],
 *   [data.hostArray(new Float32Array([3, 4]), [2]), 1],
 * ]) as [import("lumen").Tensor, import("lumen").Tensor];
 * console.log(x.shape, y.dtype); // [2, 2] int32
 * ```
 */
export function defaultCollate(samples: readonly unknown[]): unknown {
  return uploadBatch(collateHost(samples));
}
