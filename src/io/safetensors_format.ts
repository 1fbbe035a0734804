/**
 * The safetensors byte format, host side only (no device, no files): an 8-byte little-endian
 * header length N, N bytes of JSON header (`{name: {dtype, shape, data_offsets}, __metadata__}`),
 * then the tensors' bytes, little-endian, row-major. The header is padded with spaces so that the
 * data starts on an 8-byte boundary, as the reference implementation writes it.
 *
 * @module
 */
import type { DType, TensorData } from "../tensor/tensor.ts";

/** A tensor's values on the host, as read from or written to a safetensors file. */
export interface HostTensor {
  /** Size of each dimension. */
  shape: number[];
  /** lumen's element type: other file dtypes are converted when read. */
  dtype: DType;
  /** The elements, row-major. */
  data: TensorData;
}

/** Tensors and string metadata of one safetensors file. */
export interface SafetensorsContents<T> {
  /** Tensors by name, in file order. */
  tensors: Record<string, T>;
  /** The `__metadata__` strings ({} when absent). */
  metadata: Record<string, string>;
}

/**
 * A safetensors file that cannot be read or written; the message names the file and the fault.
 *
 * @example
 * ```ts
 * import { load, SafetensorsError } from "lumen";
 * await Deno.writeFile("/tmp/bad.safetensors", new Uint8Array([1, 2, 3]));
 * try {
 *   await load("/tmp/bad.safetensors");
 * } catch (e) {
 *   console.log(e instanceof SafetensorsError); // true
 * }
 * ```
 */
export class SafetensorsError extends Error {
  /** The file (or "<bytes>") the error is about. */
  readonly source: string;
  /** `problem` says what is wrong, e.g. "the header is not valid JSON". */
  constructor(source: string, problem: string) {
    super(`Safetensors file '${source}' is invalid: ${problem}`);
    this.name = "SafetensorsError";
    this.source = source;
  }
}

/** Bytes per element of each dtype a file may hold, and lumen's dtype for it when read. */
const FILE_DTYPES: Record<string, { bytes: number; dtype: DType }> = {
  F64: { bytes: 8, dtype: "float32" },
  F32: { bytes: 4, dtype: "float32" },
  F16: { bytes: 2, dtype: "float32" },
  BF16: { bytes: 2, dtype: "float32" },
  I64: { bytes: 8, dtype: "int32" },
  I32: { bytes: 4, dtype: "int32" },
  I16: { bytes: 2, dtype: "int32" },
  I8: { bytes: 1, dtype: "int32" },
  U8: { bytes: 1, dtype: "int32" },
  BOOL: { bytes: 1, dtype: "int32" },
};

/** Header sizes above this are refused before parsing (the reference limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** Whether this host stores numbers little-endian, as the format does (then bytes copy as is). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

// Converts one tensor's bytes (little-endian) into lumen's float32 or int32.
function decodeData(
  fileDtype: string,
  bytes: Uint8Array,
  count: number,
  fail: (p: string) => never,
): TensorData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (fileDtype) {
    case "F32":
      if (LITTLE_ENDIAN) return new Float32Array(bytes.slice().buffer);
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
    case "I32":
      if (LITTLE_ENDIAN) return new Int32Array(bytes.slice().buffer);
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
    case "F64":
      return Float32Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
    case "F16":
      return Float32Array.from({ length: count }, (_, i) => f16ToF32(view.getUint16(i * 2, true)));
    case "BF16": {
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case "I64":
      return Int32Array.from({ length: count }, (_, i) => {
        const v = view.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) {
          fail(`an I64 value ${v} does not fit lumen's int32`);
        }
        return Number(v);
      });
    case "I16":
      return Int32Array.from({ length: count }, (_, i) => view.getInt16(i * 2, true));
    case "I8":
      return Int32Array.from({ length: count }, (_, i) => view.getInt8(i));
    default: // U8, BOOL
      return Int32Array.from(bytes.subarray(0, count));
  }
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses a safetensors file's bytes; `source` names the file in errors. Throws `SafetensorsError`
 * for a truncated file, bad JSON, an unknown dtype, or offsets out of range or overlapping.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "lumen";
 * const bytes = encodeSafetensors({
 *   w: { shape: [2], dtype: "float32", data: new Float32Array([1, 2]) },
 * });
 * console.log(decodeSafetensors(bytes).tensors.w.data); // Float32Array(2) [1, 2]
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = "<bytes>",
): SafetensorsContents<HostTensor> {
  const fail = (problem: string): never => {
    throw new SafetensorsError(source, problem);
  };
  if (bytes.length < 8) {
    fail(`it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    fail(
      `the header length ${headerLength} goes beyond the file (${
        bytes.length - 8
      } bytes after the length); the file is truncated or not safetensors`,
    );
  }
  const n = Number(headerLength);
  if (n > MAX_HEADER_BYTES) fail(`the header length ${n} exceeds ${MAX_HEADER_BYTES} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`the header is not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  if (!header || typeof header !== "object" || Array.isArray(header)) {
    fail("the header is not a JSON object");
  }
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: {
    name: string;
    fileDtype: string;
    shape: number[];
    begin: number;
    end: number;
  }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
        fail("__metadata__ is not an object of strings");
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__ value '${k}' is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!e || typeof e !== "object") fail(`tensor '${name}' is not an object`);
    const fileDtype = e.dtype;
    if (typeof fileDtype !== "string") fail(`tensor '${name}' has no dtype`);
    const info = FILE_DTYPES[fileDtype as string];
    if (!info) {
      fail(
        `tensor '${name}' has unknown dtype '${fileDtype}' (lumen reads ${
          Object.keys(FILE_DTYPES).join(", ")
        })`,
      );
    }
    if (!Array.isArray(e.shape) || !e.shape.every(isNonNegativeInt)) {
      fail(`tensor '${name}' has shape ${JSON.stringify(e.shape)}, not a list of sizes`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isNonNegativeInt)) {
      fail(`tensor '${name}' has data_offsets ${JSON.stringify(off)}, not [begin, end]`);
    }
    const [begin, end] = off as number[];
    const shape = e.shape as number[];
    const count = shape.reduce((a, b) => a * b, 1);
    if (begin > end || end > dataLength) {
      fail(
        `tensor '${name}' has data_offsets [${begin}, ${end}] out of range (the data is ${dataLength} bytes)`,
      );
    }
    if (end - begin !== count * info.bytes) {
      fail(
        `tensor '${name}' has ${end - begin} bytes, but ${fileDtype} shape [${shape}] needs ${
          count * info.bytes
        }`,
      );
    }
    entries.push({ name, fileDtype: fileDtype as string, shape, begin, end });
  }
  const byStart = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < byStart.length; i++) {
    const [prev, cur] = [byStart[i - 1], byStart[i]];
    if (cur.begin < prev.end) {
      fail(
        `tensors '${prev.name}' [${prev.begin}, ${prev.end}] and '${cur.name}' [${cur.begin}, ${cur.end}] overlap`,
      );
    }
  }
  const tensors: Record<string, HostTensor> = {};
  for (const e of entries) {
    const slice = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    const count = e.shape.reduce((a, b) => a * b, 1);
    tensors[e.name] = {
      shape: e.shape,
      dtype: FILE_DTYPES[e.fileDtype].dtype,
      data: decodeData(e.fileDtype, slice, count, fail),
    };
  }
  return { tensors, metadata };
}

/**
 * The bytes of a safetensors file holding `tensors` (F32 or I32) and string `metadata`.
 *
 * @example
 * ```ts
 * import { encodeSafetensors } from "lumen";
 * const bytes = encodeSafetensors(
 *   { ids: { shape: [3], dtype: "int32", data: new Int32Array([1, 2, 3]) } },
 *   { note: "demo" },
 * );
 * console.log(bytes.length % 8); // 4: the data is 8-aligned, 3 int32 follow it
 * ```
 */
export function encodeSafetensors(
  tensors: Readonly<Record<string, HostTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      throw new TypeError(`Safetensors metadata values must be strings; '${k}' is ${typeof v}`);
    }
  }
  if (Object.keys(metadata).length) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__") throw new Error("A tensor cannot be named '__metadata__'");
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) {
      throw new Error(`Tensor '${name}' has ${t.data.length} values for shape [${t.shape}]`);
    }
    const expected = t.dtype === "float32" ? Float32Array : Int32Array;
    if (!(t.data instanceof expected)) {
      throw new TypeError(
        `Tensor '${name}' is ${t.dtype} but its data is a ${t.data.constructor.name}`,
      );
    }
    const dtype = t.dtype === "float32" ? "F32" : "I32";
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors)) {
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), at);
      at += t.data.length * 4;
      continue;
    }
    for (let i = 0; i < t.data.length; i++, at += 4) {
      if (t.dtype === "float32") view.setFloat32(at, t.data[i], true);
      else view.setInt32(at, t.data[i], true);
    }
  }
  return out;
}
