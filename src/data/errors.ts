/**
 * The error of bad data: it names the file and the byte offset (or line and column) where the
 * data went wrong, so that nothing is skipped silently and the user can find the bad record.
 *
 * @module
 */

/** Where bad data was found. */
export interface DataErrorOptions {
  /** The file that holds the bad data. */
  file: string;
  /** Byte offset in the (decompressed) file, when known. */
  offset?: number;
  /** 1-based line, for text files. */
  line?: number;
  /** 1-based column, for text files. */
  column?: number;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * Thrown for truncated or malformed data files, out-of-range labels and unreadable images.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const e = new data.DataFormatError("wrong magic number 0x00000000", { file: "x.idx", offset: 0 });
 * console.log(e.message); // x.idx at byte 0: wrong magic number 0x00000000
 * ```
 */
export class DataFormatError extends Error {
  /** The file that holds the bad data. */
  readonly file: string;
  /** Byte offset, when known. */
  readonly offset?: number;
  /** 1-based line, for text files. */
  readonly line?: number;
  /** 1-based column, for text files. */
  readonly column?: number;

  /** Builds the message from the location and the problem. */
  constructor(problem: string, options: DataErrorOptions) {
    const where = options.line !== undefined
      ? ` at line ${options.line}${
        options.column !== undefined ? `, column ${options.column}` : ""
      }`
      : options.offset !== undefined
      ? ` at byte ${options.offset}`
      : "";
    super(`${options.file}${where}: ${problem}`, { cause: options.cause });
    this.name = "DataFormatError";
    this.file = options.file;
    this.offset = options.offset;
    this.line = options.line;
    this.column = options.column;
  }
}
