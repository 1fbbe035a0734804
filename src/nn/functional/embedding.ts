/** Embedding lookup with a deterministic scatter-add gradient. */
import type { Tensor } from "../../tensor/tensor.ts";
import { mapElementwise, record, runKernel } from "../../ops/_run.ts";
import {
  embeddingAccumulateKernel,
  embeddingGatherKernel,
  embeddingLinkKernel,
  type EmbeddingShape,
} from "../../../kernels/embedding.ts";

/** Options of `embedding`. */
export interface EmbeddingOptions {
  /** Positions holding this index get no gradient (negative counts from the end). */
  paddingIdx?: number;
}

/**
 * Rows of `weight` ([vocab, dim]) picked by int32 `indices` of any shape, as
 * `torch.nn.functional.embedding`: the result has shape [...indices.shape, dim]. The weight's
 * gradient sums the output gradient of every position per row in position order, without float
 * atomics, so it is identical from run to run. Indices out of range give NaN rows and no gradient.
 *
 * @example
 * ```ts
 * import { F, randn, tensor } from "lumen";
 * const table = randn([10, 4], { requiresGrad: true });
 * const rows = F.embedding(tensor(new Int32Array([3, 1, 3])), table);
 * rows.sum().backward();
 * console.log(rows.shape, (await table.grad!.data())[12]); // [3, 4] 2
 * ```
 */
export function embedding(
  indices: Tensor,
  weight: Tensor,
  options: EmbeddingOptions = {},
): Tensor {
  if (indices.dtype !== "int32") {
    throw new Error(`embedding: indices must be int32, got ${indices.dtype}`);
  }
  if (weight.dtype !== "float32" || weight.ndim !== 2) {
    throw new Error(
      `embedding: weight must be a float32 [vocab, dim] matrix, got ${weight.dtype} ` +
        `of shape [${weight.shape}]`,
    );
  }
  const [vocab, dim] = weight.shape;
  let paddingIdx: number | null = null;
  if (options.paddingIdx !== undefined) {
    const p = options.paddingIdx;
    if (!Number.isInteger(p) || p < -vocab || p >= vocab) {
      throw new Error(
        `embedding: paddingIdx must be an integer in [${-vocab}, ${vocab}), got ${p}`,
      );
    }
    paddingIdx = p < 0 ? p + vocab : p;
  }
  const sh: EmbeddingShape = { count: indices.size, vocab, dim };
  const out = runKernel(embeddingGatherKernel(sh), [indices, weight], [
    ...indices.shape,
    dim,
  ], "float32");
  return record(out, "embedding", [weight], (g) => {
    // 2^31 - 1 marks a row that no position holds; the link kernel lowers it with atomicMin.
    const firstPos = mapElementwise("2147483647", [], { shape: [vocab], computeType: "int32" });
    const nextPos = runKernel(
      embeddingLinkKernel(sh, paddingIdx),
      [indices, firstPos],
      [sh.count],
      "int32",
    );
    const dweight = runKernel(embeddingAccumulateKernel(sh), [firstPos, nextPos, g], [
      vocab,
      dim,
    ], "float32");
    firstPos.dispose();
    nextPos.dispose();
    return [dweight];
  });
}
