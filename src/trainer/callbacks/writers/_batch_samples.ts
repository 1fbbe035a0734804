/**
 * A predict batch's `pred` and `identifier` split into host samples with ONE readback: the
 * prediction tensors (and an identifier tensor, when the batch carries one) are copied end to end
 * on the device and read together, since a readback costs ~11 ms whatever its size.
 *
 * @module
 */
import type { HostTensor } from "../../../io/safetensors_format.ts";
import { packValues } from "../../../ops/pack.ts";
import { Tensor } from "../../../tensor/tensor.ts";

/** A sample's identifier: a file name stem for FileWriter, a table cell for TableWriter. */
export type Identifier = string | number;

/** A batch on the host. */
export interface BatchSamples {
  /** The batch's identifiers, in order (as given, generated, or read from a tensor). */
  identifiers: Identifier[];
  /** Each sample's prediction, without the batch dimension. */
  samples: HostTensor[];
}

/** What `startBatchRead` knows at once, and the readback. */
export interface BatchRead {
  /** Samples in the batch. */
  count: number;
  /** The samples once read back (a failure is marked handled, so it may be awaited later). */
  result: Promise<BatchSamples>;
}

function describe(value: unknown): string {
  if (value instanceof Tensor) return `a Tensor of shape [${value.shape}]`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === null ? "null" : typeof value;
}

/** The prediction tensors of a batch: one tensor `[B, ...]` or a list of B tensors. */
function predParts(owner: string, pred: unknown): { parts: Tensor[]; count: number } {
  if (pred instanceof Tensor) {
    if (pred.ndim === 0) {
      throw new TypeError(
        `${owner}: the step output's pred must have a batch dimension, got a 0-d Tensor`,
      );
    }
    return { parts: [pred], count: pred.shape[0] };
  }
  if (Array.isArray(pred) && pred.every((p) => p instanceof Tensor)) {
    return { parts: pred as Tensor[], count: pred.length };
  }
  throw new TypeError(
    `${owner}: the step output's pred must be a Tensor [batch, ...] or an array of Tensors, ` +
      `got ${describe(pred)}`,
  );
}

/** Host identifiers as given, or the length of an identifier tensor (read with the preds). */
function hostIdentifiers(owner: string, identifier: unknown): Identifier[] | Tensor {
  if (identifier instanceof Tensor) {
    if (identifier.ndim !== 1) {
      throw new TypeError(
        `${owner}: an identifier Tensor must be 1-D (one id per sample), got shape ` +
          `[${identifier.shape}]`,
      );
    }
    return identifier;
  }
  if (!Array.isArray(identifier)) {
    throw new TypeError(
      `${owner}: the step output's identifier must be null, an array of strings or numbers, ` +
        `or a 1-D Tensor, got ${describe(identifier)}`,
    );
  }
  identifier.forEach((id, i) => {
    if (typeof id !== "string" && typeof id !== "number") {
      throw new TypeError(
        `${owner}: identifier[${i}] must be a string or a number, got ${describe(id)}`,
      );
    }
  });
  return identifier as Identifier[];
}

/** Views of `bytes` as each part's dtype, in order. */
function splitParts(bytes: ArrayBuffer, parts: readonly Tensor[]): (Float32Array | Int32Array)[] {
  let offset = 0;
  return parts.map((t) => {
    const view = t.dtype === "int32"
      ? new Int32Array(bytes, offset * 4, t.size)
      : new Float32Array(bytes, offset * 4, t.size);
    offset += t.size;
    return view;
  });
}

/**
 * Checks a batch's `pred` and `identifier` and starts their readback (before the loop frees the
 * tensors). `nextIds(count)` gives generated identifiers when `identifier` is null or undefined.
 * Throws at once when the counts differ, with Lighter's message.
 */
export function startBatchRead(
  owner: string,
  pred: unknown,
  identifier: unknown,
  nextIds: (count: number) => Identifier[],
): BatchRead {
  const { parts, count } = predParts(owner, pred);
  const ids = identifier === null || identifier === undefined
    ? nextIds(count)
    : hostIdentifiers(owner, identifier);
  const idCount = ids instanceof Tensor ? ids.shape[0] : ids.length;
  if (idCount !== count) {
    throw new Error(
      `The number of predictions (${count}) does not match the number of identifiers ` +
        `(${idCount})`,
    );
  }
  const tensors = ids instanceof Tensor ? [...parts, ids] : parts;
  let bytes: Promise<ArrayBuffer>;
  if (tensors.every((t) => t.size === 0)) bytes = Promise.resolve(new ArrayBuffer(0));
  else if (tensors.length === 1) {
    bytes = tensors[0].data().then((d) => d.buffer as ArrayBuffer);
  } else {
    const packed = packValues(tensors);
    const data = packed.data();
    packed.dispose();
    bytes = data.then((d) => d.buffer as ArrayBuffer);
  }
  const result = bytes.then((b): BatchSamples => {
    const views = splitParts(b, tensors);
    let samples: HostTensor[];
    if (pred instanceof Tensor) {
      const shape = pred.shape.slice(1);
      const size = shape.reduce((a, n) => a * n, 1);
      samples = Array.from({ length: count }, (_, i) => ({
        shape,
        dtype: pred.dtype,
        data: views[0].slice(i * size, (i + 1) * size),
      }));
    } else {
      samples = parts.map((t, i) => ({
        shape: [...t.shape],
        dtype: t.dtype,
        data: views[i].slice(),
      }));
    }
    const identifiers = ids instanceof Tensor ? Array.from(views[views.length - 1]) : ids;
    return { identifiers, samples };
  });
  // The writer awaits it after the previous batch's writes: mark a failure as handled meanwhile.
  result.catch(() => {});
  return { count, result };
}
