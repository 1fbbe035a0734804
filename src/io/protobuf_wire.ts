/**
 * The protocol-buffer wire format, by hand, for the few small messages lumen writes (TensorBoard's
 * Event and Summary): varints, 64- and 32-bit little-endian scalars, length-delimited fields.
 * No schema: the callers know their field numbers and leave out proto3 default values.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Builds one message: call the field methods in field-number order, then `finish()`. */
export class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #bytes: number[] = [];

  #flushBytes(): void {
    if (this.#bytes.length === 0) return;
    this.#chunks.push(Uint8Array.from(this.#bytes));
    this.#bytes = [];
  }

  #varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.#bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#bytes.push(Number(v));
  }

  #tag(field: number, wireType: number): void {
    this.#varint(BigInt(field * 8 + wireType));
  }

  #raw(bytes: Uint8Array): void {
    this.#flushBytes();
    this.#chunks.push(bytes);
  }

  /** An int32/int64/uint64/bool/enum field (negative numbers take 10 bytes, as protobuf's). */
  varint(field: number, value: number | bigint | boolean): this {
    this.#tag(field, 0);
    this.#varint(typeof value === "bigint" ? value : BigInt(Number(value)));
    return this;
  }

  /** A `double` field (wire type 1). */
  double(field: number, value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.#tag(field, 1);
    this.#raw(b);
    return this;
  }

  /** A `float` field (wire type 5): `value` rounded to float32. */
  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.#tag(field, 5);
    this.#raw(b);
    return this;
  }

  /** A `bytes` or embedded-message field (wire type 2). */
  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, 2);
    this.#varint(BigInt(value.length));
    this.#raw(value);
    return this;
  }

  /** A `string` field, UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    this.#flushBytes();
    const out = new Uint8Array(this.#chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** One decoded field: a varint, or the bytes of a fixed-width or length-delimited value. */
export type WireField =
  | { field: number; wireType: 0; varint: bigint }
  | { field: number; wireType: 1 | 2 | 5; data: Uint8Array };

/**
 * The fields of one message, in order. Throws an Error naming `what` and the byte offset when the
 * bytes are not a well-formed message (truncated, or a group/unknown wire type).
 */
export function decodeFields(bytes: Uint8Array, what = "message"): WireField[] {
  const out: WireField[] = [];
  let at = 0;
  const fail = (problem: string): never => {
    throw new Error(`Invalid protobuf ${what}: ${problem} at byte ${at} of ${bytes.length}`);
  };
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= bytes.length) fail("truncated varint");
      const b = bytes[at++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, v);
    }
    return fail("varint longer than 10 bytes");
  };
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) fail(`a ${n}-byte value runs past the end`);
    const data = bytes.subarray(at, at + n);
    at += n;
    return data;
  };
  while (at < bytes.length) {
    const start = at;
    const key = varint();
    const field = Number(key >> 3n), wireType = Number(key & 7n);
    if (field === 0) {
      at = start;
      fail("field number 0");
    }
    if (wireType === 0) out.push({ field, wireType, varint: varint() });
    else if (wireType === 1 || wireType === 5) {
      out.push({ field, wireType, data: take(wireType === 1 ? 8 : 4) });
    } else if (wireType === 2) {
      const n = varint();
      if (n > BigInt(bytes.length)) fail(`a ${n}-byte value runs past the end`);
      out.push({ field, wireType, data: take(Number(n)) });
    } else {
      at = start;
      fail(`unsupported wire type ${wireType}`);
    }
  }
  return out;
}

function view(f: WireField, wireType: 1 | 5): DataView {
  if (f.wireType !== wireType) {
    throw new Error(`Invalid protobuf: field ${f.field} has wire type ${f.wireType}`);
  }
  return new DataView(f.data.buffer, f.data.byteOffset, f.data.byteLength);
}

/** A `double` field's value. */
export function wireDouble(f: WireField): number {
  return view(f, 1).getFloat64(0, true);
}

/** A `float` field's value. */
export function wireFloat(f: WireField): number {
  return view(f, 5).getFloat32(0, true);
}

/** An int64 (or int32/enum) field's value as a number (signed, two's complement). */
export function wireInt(f: WireField): number {
  if (f.wireType !== 0) {
    throw new Error(`Invalid protobuf: field ${f.field} has wire type ${f.wireType}`);
  }
  return Number(BigInt.asIntN(64, f.varint));
}

/** A length-delimited field's bytes. */
export function wireBytes(f: WireField): Uint8Array {
  if (f.wireType !== 2) {
    throw new Error(`Invalid protobuf: field ${f.field} has wire type ${f.wireType}`);
  }
  return f.data;
}

/** A `string` field's value (UTF-8). */
export function wireString(f: WireField): string {
  return decoder.decode(wireBytes(f));
}
