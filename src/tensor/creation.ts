/** Creating tensors: from host data, filled, ranges and seeded random draws. */
import { getDevice } from "../device/default_device.ts";
import { type DType, Tensor, type TensorData } from "./tensor.ts";
import { sizeOf } from "./shape.ts";
import { nextRandomParams } from "./random_state.ts";
import { mapElementwise, runKernel } from "../ops/_run.ts";
import { literal } from "../../kernels/_grid.ts";
import { randomKernel } from "../../kernels/random.ts";

/** Nested arrays of numbers, as written in code or parsed from JSON. */
export type NestedArray = number | readonly NestedArray[];

/** Options for `tensor()`. */
export interface TensorOptions {
  /** The shape; inferred from nested arrays when omitted. */
  shape?: readonly number[];
  /** Element type; float32 unless the data is an Int32Array. */
  dtype?: DType;
  /** Whether gradients flow to the tensor. */
  requiresGrad?: boolean;
}

/** Options of the filled and random creators. */
export interface CreationOptions {
  /** Element type (float32 by default). */
  dtype?: DType;
  /** Whether gradients flow to the tensor. */
  requiresGrad?: boolean;
}

function inferNested(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function flatten(data: NestedArray, shape: number[], out: number[], depth = 0): void {
  if (depth === shape.length) {
    if (typeof data !== "number") throw new Error("tensor(): ragged nested array");
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new Error(`tensor(): ragged nested array at depth ${depth}, expected ${shape[depth]}`);
  }
  for (const x of data) flatten(x, shape, out, depth + 1);
}

/**
 * A tensor from nested arrays or a flat typed array. An int32 tensor records its smallest and
 * largest element in `hostRange`, so losses can check class labels without a device read.
 *
 * @example
 * ```ts
 * import { tensor } from "lumen";
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * console.log(x.shape); // [2, 3]
 * const labels = tensor(new Int32Array([0, 2]));
 * console.log(labels.dtype, labels.hostRange); // int32 { min: 0, max: 2 }
 * ```
 */
export function tensor(
  data: NestedArray | TensorData | readonly number[],
  options: TensorOptions = {},
): Tensor {
  let flat: ArrayLike<number>;
  let shape: number[];
  if (ArrayBuffer.isView(data)) {
    flat = data as TensorData;
    shape = options.shape ? [...options.shape] : [flat.length];
  } else {
    shape = inferNested(data as NestedArray);
    const values: number[] = [];
    flatten(data as NestedArray, shape, values);
    flat = values;
    if (options.shape) shape = [...options.shape];
  }
  if (sizeOf(shape) !== flat.length) {
    throw new Error(`tensor(): ${flat.length} values do not fill shape [${shape}]`);
  }
  const dtype = options.dtype ?? (data instanceof Int32Array ? "int32" : "float32");
  const host = dtype === "float32" ? Float32Array.from(flat) : Int32Array.from(flat);
  const t = Tensor.fromBuffer(getDevice().upload(host), shape, dtype);
  t.requiresGrad = options.requiresGrad ?? false;
  if (host instanceof Int32Array && host.length > 0) t.hostRange = int32Range(host);
  return t;
}

/** The smallest and largest element of a non-empty int32 array (one pass, on the host). */
function int32Range(values: Int32Array): { min: number; max: number } {
  let min = values[0], max = values[0];
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return { min, max };
}

/**
 * A tensor filled with `value`.
 *
 * @example
 * ```ts
 * import { full } from "lumen";
 * console.log(await full([2], 7).data()); // Float32Array(2) [7, 7]
 * ```
 */
export function full(
  shape: readonly number[],
  value: number,
  options: CreationOptions = {},
): Tensor {
  const dtype = options.dtype ?? "float32";
  const t = mapElementwise(literal(value, dtype), [], { shape, computeType: dtype });
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

/**
 * A tensor of zeros.
 *
 * @example
 * ```ts
 * import { zeros } from "lumen";
 * console.log(zeros([2, 3]).shape); // [2, 3]
 * ```
 */
export function zeros(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return full(shape, 0, options);
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * import { ones } from "lumen";
 * console.log(await ones([2]).data()); // Float32Array(2) [1, 1]
 * ```
 */
export function ones(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return full(shape, 1, options);
}

/**
 * Values `start, start + step, ...` below `end` (as `torch.arange`); `arange(n)` counts 0..n-1.
 *
 * @example
 * ```ts
 * import { arange } from "lumen";
 * console.log(await arange(0, 1, 0.25).data()); // Float32Array(4) [0, 0.25, 0.5, 0.75]
 * ```
 */
export function arange(
  start: number,
  end?: number,
  step = 1,
  options: CreationOptions = {},
): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new Error("arange(): step must not be 0");
  const n = Math.max(0, Math.ceil((end - start) / step));
  const ints = Number.isInteger(start) && Number.isInteger(step);
  const dtype = options.dtype ?? (ints && Number.isInteger(end) ? "int32" : "float32");
  const expr = dtype === "int32"
    ? `${literal(start, "int32")} + i32(i) * ${literal(step, "int32")}`
    : `${literal(start)} + f32(i) * ${literal(step)}`;
  const t = mapElementwise(expr, [], { shape: [n], computeType: dtype });
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

function random(shape: readonly number[], dist: "uniform" | "normal", o: CreationOptions): Tensor {
  const n = sizeOf(shape);
  const kernel = { ...randomKernel(n, dist), params: nextRandomParams(n) };
  const t = runKernel(kernel, [], shape, "float32");
  t.requiresGrad = o.requiresGrad ?? false;
  return t;
}

/**
 * Uniform samples in [0, 1) from the seeded counter-based generator (see `manualSeed`).
 *
 * @example
 * ```ts
 * import { rand } from "lumen";
 * const x = await rand([1000]).data();
 * console.log(x.every((v) => v >= 0 && v < 1)); // true
 * ```
 */
export function rand(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return random(shape, "uniform", options);
}

/**
 * Standard normal samples from the seeded generator.
 *
 * @example
 * ```ts
 * import { randn } from "lumen";
 * console.log(randn([2, 3]).shape); // [2, 3]
 * ```
 */
export function randn(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return random(shape, "normal", options);
}
