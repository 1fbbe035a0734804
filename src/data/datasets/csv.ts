/** `CSVDataset`: rows of a CSV file as `[features, target]`. */
import { DataFormatError } from "../errors.ts";
import type { HostArray } from "../host_array.ts";
import { checkIndex } from "../_dataset_checks.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import { specOf } from "../_spec_of.ts";
import type { TransformLike } from "../transforms/transform.ts";
import { applyTransform } from "../transforms/_apply.ts";
import { checkOptions } from "../../util/options.ts";
import { parseCsv } from "../../deps.ts";

/** Options of `CSVDataset`. */
export interface CSVDatasetOptions {
  /** The CSV file. */
  path: string;
  /** The target column: a header name or a 0-based index (default: the last column). */
  target?: string | number;
  /** Feature columns, names or indices (default: every column but the target). */
  features?: (string | number)[];
  /** Whether the first row names the columns (default true). */
  header?: boolean;
  /** Field separator (default ","). */
  delimiter?: string;
  /**
   * How targets are read: "class" (integers as they are, or names mapped to sorted indices),
   * "float" (numbers), or "auto" (default: "class" when every target is an integer or not a
   * number, else "float").
   */
  targetType?: "auto" | "class" | "float";
  /** Applied to each feature vector (a float32 host array `[F]`). */
  transform?: TransformLike;
  /** Applied to each target. */
  targetTransform?: TransformLike;
}

/** Every option name of `CSVDatasetOptions` (add a name here when adding an option above). */
const CSV_DATASET_OPTIONS = [
  "path",
  "target",
  "features",
  "header",
  "delimiter",
  "targetType",
  "transform",
  "targetTransform",
] as const satisfies readonly (keyof CSVDatasetOptions)[];

/** One parsed row: its fields and the 1-based line it starts on. */
interface Row {
  fields: string[];
  line: number;
}

/** What csv-parse gives for each record with `info: true` (only what is used here). */
interface ParsedRecord {
  record: string[];
  info: { bytes: number };
}

const CR = 0x0d, LF = 0x0a;

/** Line breaks (`\r\n`, `\n` or `\r`) in `bytes[start, end)`. */
function countBreaks(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    if (bytes[i] === LF) n++;
    else if (bytes[i] === CR) {
      n++;
      if (bytes[i + 1] === LF && i + 1 < end) i++;
    }
  }
  return n;
}

/** True when `bytes[start, end)` holds nothing but line breaks (an empty line). */
function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== CR && bytes[i] !== LF) return false;
  return true;
}

/**
 * Parses CSV bytes with csv-parse: RFC 4180 quoting (a quote inside an unquoted field is kept, as
 * Python's csv module keeps it), `\n`, `\r\n` or `\r` line ends, a UTF-8 BOM dropped. An empty
 * line is a row with no fields; trailing empty lines are the end of the file, not rows.
 */
function parseRows(bytes: Uint8Array, delimiter: string, file: string): Row[] {
  let records: ParsedRecord[];
  try {
    records = parseCsv(bytes, {
      delimiter,
      bom: true,
      info: true,
      relaxColumnCount: true,
      relaxQuotes: true,
      recordDelimiter: ["\r\n", "\n", "\r"],
    }) as unknown as ParsedRecord[];
  } catch (e) {
    const line = (e as { lines?: unknown }).lines;
    throw new DataFormatError(e instanceof Error ? e.message : String(e), {
      file,
      ...(typeof line === "number" ? { line } : {}),
      cause: e,
    });
  }
  const rows: Row[] = [];
  let start = 0, line = 1;
  for (const { record, info } of records) {
    // info.bytes is the offset just past the record's line end, so lines are counted from bytes.
    rows.push({ fields: isBlank(bytes, start, info.bytes) ? [] : record, line });
    line += countBreaks(bytes, start, info.bytes);
    start = info.bytes;
  }
  while (rows.length && rows[rows.length - 1].fields.length === 0) rows.pop();
  return rows;
}

/**
 * A CSV file as a dataset: chosen columns become a float32 feature vector, one column the
 * target. A field that is not a number throws naming the file, line and column.
 *
 * @example
 * ```ts
 * import { datasets } from "lumen";
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, "a,b,label\n1,2,0\n3,4,1\n");
 * const ds = new datasets.CSVDataset({ path, target: "label" });
 * console.log(ds.length, ds.getItem(1)); // 2 [{ data: Float32Array(2) [3, 4], shape: [2] }, 1]
 * ```
 */
export class CSVDataset {
  /** Options as given. */
  readonly options: CSVDatasetOptions;
  /** Column names (from the header, or "0", "1", ...). */
  readonly columns: readonly string[];
  /** Feature column names, in order. */
  readonly featureColumns: readonly string[];
  /** The target column's name. */
  readonly targetColumn: string;
  /** Class names when targets are names (index = class), else empty. */
  readonly classes: readonly string[];
  #features: Float32Array;
  #targets: (number | HostArray)[];
  #width: number;

  /** Reads and parses the whole file now (so `length` is known at once). */
  constructor(options: CSVDatasetOptions) {
    checkOptions("CSVDataset", options, CSV_DATASET_OPTIONS);
    if (!options || typeof options.path !== "string") throw new Error("CSVDataset needs {path}");
    this.options = options;
    const file = options.path;
    const delimiter = options.delimiter ?? ",";
    if (typeof delimiter !== "string" || delimiter === "" || /["\r\n]/.test(delimiter)) {
      throw new TypeError(
        `CSVDataset: 'delimiter' must be a non-empty string without quotes or line breaks, ` +
          `got ${JSON.stringify(delimiter)}`,
      );
    }
    const rows = parseRows(Deno.readFileSync(file), delimiter, file);
    const header = options.header ?? true;
    if (rows.length === 0) {
      throw new DataFormatError("the file has no rows", { file, line: 1 });
    }
    const width = rows[0].fields.length;
    this.columns = header
      ? rows[0].fields.map((f) => f.trim())
      : Array.from({ length: width }, (_, i) => String(i));
    const body = header ? rows.slice(1) : rows;
    const col = (c: string | number, what: string): number => {
      const i = typeof c === "number" ? c : this.columns.indexOf(c);
      if (!Number.isInteger(i) || i < 0 || i >= width) {
        throw new Error(
          `CSVDataset: ${what} column ${JSON.stringify(c)} is not one of ${file}'s columns ` +
            `[${this.columns.join(", ")}]`,
        );
      }
      return i;
    };
    const t = col(options.target ?? width - 1, "target");
    const feats = (options.features ?? this.columns.map((_, i) => i).filter((i) => i !== t))
      .map((c) => col(c, "feature"));
    this.targetColumn = this.columns[t];
    this.featureColumns = feats.map((i) => this.columns[i]);
    this.#width = feats.length;
    this.#features = new Float32Array(body.length * feats.length);
    const rawTargets: string[] = [];
    body.forEach((row, r) => {
      if (row.fields.length !== width) {
        throw new DataFormatError(
          `expected ${width} fields like the first row, got ${row.fields.length}`,
          { file, line: row.line },
        );
      }
      feats.forEach((c, k) => {
        this.#features[r * feats.length + k] = this.#number(row.fields[c], row.line, c);
      });
      rawTargets.push(row.fields[t].trim());
    });
    const numeric = rawTargets.map((v) => (v === "" ? NaN : Number(v)));
    let kind = options.targetType ?? "auto";
    if (kind === "auto") {
      kind = numeric.every((v) => Number.isInteger(v)) || numeric.every((v) => Number.isNaN(v))
        ? "class"
        : "float";
    }
    if (kind === "float") {
      this.classes = [];
      this.#targets = numeric.map((v, r) => {
        if (Number.isNaN(v)) this.#number(rawTargets[r], body[r].line, t);
        return { data: new Float32Array([v]), shape: [] };
      });
    } else if (numeric.every((v) => Number.isInteger(v))) {
      this.classes = [];
      this.#targets = numeric;
    } else {
      const bad = numeric.findIndex((v) => !Number.isNaN(v));
      if (bad >= 0) {
        throw new DataFormatError(
          `target ${JSON.stringify(rawTargets[bad])} is a number but other targets are class names`,
          { file, line: body[bad].line, column: t + 1 },
        );
      }
      this.classes = [...new Set(rawTargets)].sort();
      this.#targets = rawTargets.map((v) => this.classes.indexOf(v));
    }
  }

  #number(field: string, line: number, column: number): number {
    const s = field.trim();
    const v = s === "" ? NaN : Number(s);
    if (Number.isNaN(v) && s.toLowerCase() !== "nan") {
      throw new DataFormatError(
        `${JSON.stringify(field)} in column '${this.columns[column]}' is not a number`,
        { file: this.options.path, line, column: column + 1 },
      );
    }
    return v;
  }

  /** Number of data rows. */
  get length(): number {
    return this.#targets.length;
  }

  /** Row `index`: `[features, target]`. */
  getItem(index: number): [unknown, unknown] {
    checkIndex(index, this.length, "CSVDataset");
    const w = this.#width;
    let x: unknown = { data: this.#features.slice(index * w, (index + 1) * w), shape: [w] };
    let y: unknown = this.#targets[index];
    if (typeof y === "object") y = { data: (y as HostArray).data.slice(), shape: [] };
    if (this.options.transform) x = applyTransform(this.options.transform, x);
    if (this.options.targetTransform) y = applyTransform(this.options.targetTransform, y);
    return [x, y];
  }

  /** Rebuild description for workers (each worker re-reads the file). */
  workerSpec(): WorkerSpec {
    return {
      $kind: "CSVDataset",
      options: specOf(this.options, "CSVDataset") as Record<string, unknown>,
    };
  }
}
