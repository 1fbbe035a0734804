/**
 * The IDX format of MNIST-like datasets: two zero bytes, a type code (0x08 = unsigned byte), the
 * number of dims, then each dim as a big-endian u32, then the data, row-major.
 *
 * @module
 */
import { DataFormatError } from "../errors.ts";

/** A parsed IDX file of unsigned bytes. */
export interface IdxArray {
  /** Dims from the header. */
  shape: number[];
  /** The data (a view into the file's bytes). */
  data: Uint8Array;
  /** Byte offset of the data in the file. */
  dataOffset: number;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, "0")}`;

/**
 * Parses an IDX file of unsigned bytes with `ndim` dims. Throws a `DataFormatError` naming the
 * file and offset for a wrong magic number or a file shorter than its header promises.
 */
export function parseIdx(bytes: Uint8Array, ndim: number, file: string): IdxArray {
  const expected = 0x00000800 | ndim;
  if (bytes.length < 4) {
    throw new DataFormatError(
      `truncated: ${bytes.length} bytes is too short for an IDX header (magic number ${
        hex(expected)
      })`,
      { file, offset: bytes.length },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== expected) {
    const what = ndim === 1 ? "labels" : "images";
    throw new DataFormatError(
      `wrong magic number ${hex(magic)}, expected ${hex(expected)} (IDX ${what}: unsigned bytes ` +
        `in ${ndim} dims)`,
      { file, offset: 0 },
    );
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new DataFormatError(
      `truncated: the header needs ${headerBytes} bytes but the file ends at byte ${bytes.length}`,
      { file, offset: bytes.length },
    );
  }
  const shape = Array.from({ length: ndim }, (_, d) => view.getUint32(4 + 4 * d));
  const size = shape.reduce((a, b) => a * b, 1);
  const available = bytes.length - headerBytes;
  if (available < size) {
    throw new DataFormatError(
      `truncated: dims [${shape}] need ${size} data bytes from byte ${headerBytes}, but the file ` +
        `ends at byte ${bytes.length} (${available} data bytes)`,
      { file, offset: bytes.length },
    );
  }
  if (available > size) {
    throw new DataFormatError(
      `${available - size} unexpected bytes after the data of dims [${shape}]`,
      { file, offset: headerBytes + size },
    );
  }
  return { shape, data: bytes.subarray(headerBytes), dataOffset: headerBytes };
}
