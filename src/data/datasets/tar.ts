/**
 * Reading tar archives (ustar, with GNU long names and pax `path`/`size` records): enough for
 * npm package tarballs, which is where lumen gets MNIST. Every header's checksum is verified.
 *
 * @module
 */
import { DataFormatError } from "../errors.ts";

/** A regular file of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, e.g. "package/data/train-images-idx3-ubyte". */
  name: string;
  /** The file's bytes (a view into the archive). */
  data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

/** A NUL-terminated string field of a header. */
function text(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

/** An octal number field (or GNU base-256 when its first byte has the high bit set). */
function number(block: Uint8Array, start: number, length: number): number {
  if (block[start] & 0x80) {
    let v = block[start] & 0x7f;
    for (let i = 1; i < length; i++) v = v * 256 + block[start + i];
    return v;
  }
  const digits = text(block, start, length).trim();
  return digits === "" ? 0 : parseInt(digits, 8);
}

/** Pax extended header records: "<length> <key>=<value>\n" each. */
function paxRecords(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  for (const line of decoder.decode(data).split("\n")) {
    const m = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (m) records.set(m[1], m[2]);
  }
  return records;
}

/**
 * The regular files of an (uncompressed) tar archive, in archive order. A header with a wrong
 * checksum or an entry running past the end throws a `DataFormatError` naming `file` and the
 * header's byte offset.
 */
export function readTar(bytes: Uint8Array, file: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let longName: string | null = null;
  let pax = new Map<string, string>();
  for (let at = 0; at + BLOCK <= bytes.length;) {
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
    const stored = number(header, 148, 8);
    if (sum !== stored) {
      throw new DataFormatError(
        `not a tar header: checksum ${stored}, computed ${sum}`,
        { file, offset: at },
      );
    }
    const type = String.fromCharCode(header[156] || 0x30);
    const size = Number(pax.get("size") ?? number(header, 124, 12));
    const start = at + BLOCK;
    if (start + size > bytes.length) {
      throw new DataFormatError(
        `truncated: the tar entry "${text(header, 0, 100)}" needs ${size} bytes from byte ` +
          `${start}, but the archive ends at byte ${bytes.length}`,
        { file, offset: at },
      );
    }
    const data = bytes.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = text(data, 0, data.length);
    } else if (type === "x") {
      pax = paxRecords(data);
    } else if (type !== "g") {
      const prefix = text(header, 257, 6) === "ustar" ? text(header, 345, 155) : "";
      const name = pax.get("path") ?? longName ??
        (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
      if (type === "0" || type === "7") entries.push({ name, data });
      longName = null;
      pax = new Map();
    }
  }
  return entries;
}
