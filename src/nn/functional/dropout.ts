/** Dropout with a mask from the seeded counter-based generator. */
import type { Tensor } from "../../tensor/tensor.ts";
import { nextRandomParams } from "../../tensor/random_state.ts";
import { record, runKernel } from "../../ops/_run.ts";
import { reshape } from "../../ops/shape_ops.ts";
import { dropoutKernel } from "../../../kernels/dropout.ts";

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1]. Default 0.5. */
  p?: number;
  /** Whether to drop at all; when false the input passes through. Default true. */
  training?: boolean;
}

/**
 * Zeroes each element with probability `p` and scales the kept ones by 1/(1 - p), as
 * `torch.nn.functional.dropout`. The mask comes from the generator seeded by `manualSeed` (the
 * draws differ from torch's). It is not stored: the backward pass redraws it from the same
 * counters. When not training or p = 0 the result shares the input's memory.
 *
 * @example
 * ```ts
 * import { F, manualSeed, ones } from "lumen";
 * manualSeed(0);
 * const y = await F.dropout(ones([8]), { p: 0.5 }).data();
 * console.log(y); // Float32Array(8) [2, 2, 0, 2, 0, 2, 0, 0]
 * ```
 */
export function dropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  const p = options.p ?? 0.5;
  const training = options.training ?? true;
  if (!(p >= 0 && p <= 1)) {
    throw new Error(`dropout: probability p must be between 0 and 1, got ${p}`);
  }
  if (x.dtype !== "float32") throw new Error(`dropout: input must be float32, got ${x.dtype}`);
  if (!training || p === 0) return reshape(x, x.shape);
  const n = x.size;
  const kernel = { ...dropoutKernel(n, p), params: nextRandomParams(n) };
  const out = runKernel(kernel, [x], x.shape, "float32");
  // The same kernel and counters applied to the gradient give g * mask / (1 - p).
  return record(out, "dropout", [x], (g) => [runKernel(kernel, [g], x.shape, "float32")]);
}
