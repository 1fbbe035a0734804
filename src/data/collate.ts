/**
 * Collating samples into a batch, in two halves: `collateHost` stacks host values (it runs in a
 * worker as well as on the main thread, and touches no GPU), and `uploadBatch` turns each stacked
 * array into one device tensor. `defaultCollate` is both.
 *
 * Rules: numbers become an int32 `[B]` when all are integers (class labels), else float32; typed
 * arrays and host arrays of one shape stack to `[B, ...shape]`; tensors stack on the device;
 * arrays and plain objects collate per position or key; `null` stays `null` (as Lighter's patched
 * collate); strings stay a list.
 *
 * @module
 */
import { type HostArray, type HostData, isHostArray } from "./host_array.ts";

/** Samples whose entries are device tensors, stacked on the device by `uploadBatch`. */
export interface PendingStack {
  /** Marks the value; a plain object so the check does not need the tensor module here. */
  readonly pendingStack: readonly unknown[];
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (isHostArray(v)) return `host array [${v.shape}] of ${v.data.constructor.name}`;
  if (ArrayBuffer.isView(v)) return (v as object).constructor.name;
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function stack(items: HostArray[], where: string): HostArray {
  const first = items[0];
  const Ctor = first.data.constructor as new (n: number) => HostData;
  const size = first.data.length;
  const out = new Ctor(size * items.length);
  items.forEach((it, i) => {
    if (it.data.constructor !== Ctor || !sameShape(it.shape, first.shape)) {
      throw new Error(
        `Cannot collate ${where}: sample ${i} is a ${typeName(it)} but sample 0 is a ` +
          `${typeName(first)}`,
      );
    }
    out.set(it.data, i * size);
  });
  return { data: out, shape: [items.length, ...first.shape] };
}

function isTensorLike(v: unknown): boolean {
  // Device tensors are recognised structurally, so this module stays free of GPU imports.
  return v !== null && typeof v === "object" && "dtype" in v && "shape" in v &&
    typeof (v as { data?: unknown }).data === "function";
}

/**
 * Stacks a list of samples on the host. Throws naming the position (`batch[0].image`) when
 * samples disagree in type or shape.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const b = data.collateHost([[data.hostArray(new Float32Array([1, 2]), [2]), 3], [data.hostArray(new Float32Array([4, 5]), [2]), 1]]);
 * console.log(b);
 * // [
 * //   { data: Float32Array(4) [1, 2, 4, 5], shape: [2, 2] },
 * //   { data: Int32Array(2) [3, 1], shape: [2] }
 * // ]
 * ```
 */
export function collateHost(samples: readonly unknown[], where = "batch"): unknown {
  if (samples.length === 0) throw new Error("Cannot collate an empty list of samples");
  const first = samples[0];
  const kinds = new Set(samples.map(typeName));
  if (first === null || first === undefined) {
    if (samples.some((s) => s !== first)) {
      throw new Error(`Cannot collate ${where}: sample 0 is ${first} but others are not`);
    }
    return first;
  }
  if (typeof first === "number") {
    if (kinds.size !== 1) {
      throw new Error(`Cannot collate ${where}: mixed ${[...kinds].join(", ")}`);
    }
    const nums = samples as number[];
    const ints = nums.every((n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31);
    return { data: ints ? Int32Array.from(nums) : Float32Array.from(nums), shape: [nums.length] };
  }
  if (typeof first === "boolean") {
    if (kinds.size !== 1) {
      throw new Error(`Cannot collate ${where}: mixed ${[...kinds].join(", ")}`);
    }
    return { data: Int32Array.from(samples as boolean[], Number), shape: [samples.length] };
  }
  if (typeof first === "string") {
    if (kinds.size !== 1) {
      throw new Error(`Cannot collate ${where}: mixed ${[...kinds].join(", ")}`);
    }
    return [...samples];
  }
  if (isHostArray(first)) {
    const items = samples.map((s, i) => {
      if (!isHostArray(s)) {
        throw new Error(
          `Cannot collate ${where}: sample ${i} is a ${typeName(s)}, not a host array`,
        );
      }
      return s;
    });
    return stack(items, where);
  }
  if (first instanceof Float32Array || first instanceof Int32Array || first instanceof Uint8Array) {
    return stack(
      samples.map((s, i) => {
        if (!ArrayBuffer.isView(s)) {
          throw new Error(
            `Cannot collate ${where}: sample ${i} is a ${typeName(s)}, not a typed array`,
          );
        }
        return { data: s as HostData, shape: [(s as HostData).length] };
      }),
      where,
    );
  }
  if (isTensorLike(first)) return { pendingStack: [...samples] } satisfies PendingStack;
  if (Array.isArray(first)) {
    samples.forEach((s, i) => {
      if (!Array.isArray(s) || s.length !== first.length) {
        throw new Error(
          `Cannot collate ${where}: sample ${i} is ${
            Array.isArray(s) ? `an array of ${s.length}` : `a ${typeName(s)}`
          }` +
            ` but sample 0 is an array of ${first.length}`,
        );
      }
    });
    return first.map((_, k) =>
      collateHost(samples.map((s) => (s as unknown[])[k]), `${where}[${k}]`)
    );
  }
  if (typeof first === "object" && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    samples.forEach((s, i) => {
      const sk = s && typeof s === "object" ? Object.keys(s) : [];
      if (sk.length !== keys.length || !keys.every((k) => sk.includes(k))) {
        throw new Error(
          `Cannot collate ${where}: sample ${i} has keys [${sk}] but sample 0 has [${keys}]`,
        );
      }
    });
    for (const k of keys) {
      out[k] = collateHost(samples.map((s) => (s as Record<string, unknown>)[k]), `${where}.${k}`);
    }
    return out;
  }
  throw new Error(`Cannot collate ${where}: no rule for a ${typeName(first)}`);
}
