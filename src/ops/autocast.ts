/**
 * Autocast, as torch.autocast for float16: inside `autocast(fn)` matrix products (and the layers
 * built on them) compute in half precision where the adapter has `shader-f16`, while everything
 * else (losses, reductions, optimizer state, the master weights) stays float32. The mode is a
 * counter, not a flag, so autocast regions nest; `fn` must be synchronous (the mode is global).
 */
import { getDevice } from "../device/default_device.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { record, runKernel } from "./_run.ts";
import { roundHalfKernel } from "../../kernels/half.ts";

let depth = 0;

/**
 * Runs `fn` with float16 compute for matrix products (inputs rounded to f16, products in f16,
 * sums in f32, results rounded to f16 and stored as float32). Throws when the adapter lacks
 * `shader-f16`.
 *
 * @example
 * ```ts
 * import { autocast, deviceInfo, tensor } from "lumen";
 * const a = tensor([[1 / 3]]), b = tensor([[3]]);
 * if (deviceInfo().shaderF16) {
 *   const y = autocast(() => a.matmul(b)); // 1/3 rounds to 0.333251953125 in f16
 *   console.log(await y.data()); // when shader-f16: Float32Array(1) [1]: 0.999755859375 rounds to 1
 * }
 * ```
 */
export function autocast<T>(fn: () => T): T {
  const info = getDevice().info;
  if (!info.shaderF16) {
    throw new Error(
      `float16 autocast needs the WebGPU feature 'shader-f16', which the adapter ` +
        `"${info.description}" lacks`,
    );
  }
  depth++;
  try {
    const out = fn();
    if (out instanceof Promise) {
      throw new Error("autocast(fn) needs a synchronous fn: the mode would leak into other work");
    }
    return out;
  } finally {
    depth--;
  }
}

/**
 * Whether an `autocast` region is running.
 *
 * @example
 * ```ts
 * import { autocast, deviceInfo, isAutocastEnabled } from "lumen";
 * const inside = deviceInfo().shaderF16 ? autocast(() => isAutocastEnabled()) : true;
 * console.log(inside, isAutocastEnabled()); // true false
 * ```
 */
export function isAutocastEnabled(): boolean {
  return depth > 0;
}

/**
 * `t` rounded through float16 (±inf beyond its range), with the gradient rounded the same way:
 * how autocast treats the inputs and output of a layer that has no half kernel yet.
 */
export function roundHalf(t: Tensor): Tensor {
  if (t.dtype !== "float32") {
    throw new TypeError(`roundHalf needs a float32 tensor, got ${t.dtype}`);
  }
  const out = runKernel(roundHalfKernel(t.size), [t], t.shape, "float32");
  return record(out, "roundHalf", [t], (g) => [roundHalf(g)]);
}
