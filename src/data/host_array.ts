/**
 * Host-side sample values: a typed array plus a shape. Datasets and transforms produce these
 * (never device tensors), so that they run unchanged in a Worker that has no GPU, and so that a
 * whole batch is stacked on the host and uploaded with one `tensor()` call.
 *
 * A host array is a plain object (not a class instance) so that it survives `postMessage`.
 *
 * @module
 */

/** Element storage of a host array; `Uint8Array` is how decoded images arrive. */
export type HostData = Float32Array | Int32Array | Uint8Array;

/**
 * A typed array with a row-major shape: decoded images are uint8 `[H, W, C]`, `ToTensor` turns
 * them into float32 `[C, H, W]` in [0, 1].
 */
export interface HostArray {
  /** The elements, row-major. */
  readonly data: HostData;
  /** Size of each dimension; `[]` for a scalar. */
  readonly shape: readonly number[];
}

/**
 * Makes a host array, checking that the data fills the shape.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const image = data.hostArray(new Float32Array(6), [1, 2, 3]);
 * console.log(image.shape); // [1, 2, 3]
 * ```
 */
export function hostArray(data: HostData, shape: readonly number[]): HostArray {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new Error(`A host array of shape [${shape}] needs ${size} values, got ${data.length}`);
  }
  return { data, shape: [...shape] };
}

/**
 * Whether a value is a host array: an object with exactly a typed-array `data` and a `shape`.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * console.log(data.isHostArray({ data: new Float32Array(2), shape: [2] })); // true
 * console.log(data.isHostArray({ data: [1, 2], shape: [2] })); // false
 * ```
 */
export function isHostArray(value: unknown): value is HostArray {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  return keys.length === 2 && Array.isArray(v.shape) &&
    (v.data instanceof Float32Array || v.data instanceof Int32Array ||
      v.data instanceof Uint8Array);
}
