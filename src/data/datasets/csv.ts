/** `CSVDataset`: rows of a CSV file as `[features, target]`. */
import { DataFormatError } from "../errors.ts";
import type { HostArray } from "../host_array.ts";
import { checkIndex } from "../_dataset_checks.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import { specOf } from "../_spec_of.ts";
import type { TransformLike } from "../transforms/transform.ts";
import { applyTransform } from "../transforms/_apply.ts";
import { checkOptions } from "../../util/options.ts";

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

/** Splits CSV text into rows of fields, honouring double quotes; keeps each row's line number. */
function parseRows(text: string, delimiter: string): { fields: string[]; line: number }[] {
  const rows: { fields: string[]; line: number }[] = [];
  let field = "", fields: string[] = [], line = 1, rowLine = 1, quoted = false, any = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      any = true;
    } else if (ch === delimiter) {
      fields.push(field);
      field = "";
      any = true;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      if (any || field !== "") rows.push({ fields: [...fields, field], line: rowLine });
      else rows.push({ fields: [], line: rowLine });
      fields = [];
      field = "";
      any = false;
      line++;
      rowLine = line;
    } else {
      field += ch;
      any = true;
    }
  }
  if (any || field !== "") rows.push({ fields: [...fields, field], line: rowLine });
  // Trailing blank lines are the end of the file, not rows.
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
 * console.log(ds.length, ds.getItem(1)); // 2 [{data: Float32Array [3, 4], shape: [2]}, 1]
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
    const rows = parseRows(Deno.readTextFileSync(file), options.delimiter ?? ",");
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
