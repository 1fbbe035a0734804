/**
 * `TableWriter`: Lighter's TableWriter: one CSV row `identifier,pred` per predicted sample,
 * written at the end of the predict epoch.
 *
 * @module
 */
import { dirname } from "node:path";
import { stringifyCsv } from "../../../deps.ts";
import { writeFileAtomic } from "../../../io/atomic_write.ts";
import type { HostTensor } from "../../../io/safetensors_format.ts";
import type { System } from "../../../system/system.ts";
import type { Stage, TrainerView } from "../../trainer_view.ts";
import { BaseWriter, type Identifier, type WriterOptions } from "./base_writer.ts";

/** A TableWriter function: the value of a sample's `pred` cell. */
export type TableWriterFunction = (tensor: HostTensor) => unknown;

/** Options of {@link TableWriter}: `path` is the CSV file; `writer` is `tensor` or a function. */
export type TableWriterOptions = WriterOptions<TableWriterFunction>;

/** One row of the table. */
export interface TableRecord {
  /** The sample's identifier. */
  identifier: Identifier;
  /** What the writer made of the sample. */
  pred: unknown;
}

/** The nested-list form of a host tensor (`tensor.tolist()`). */
function toList(t: HostTensor): unknown {
  const build = (dim: number, offset: number): unknown => {
    if (dim === t.shape.length) return t.data[offset];
    const stride = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: t.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
  };
  return build(0, 0);
}

/** Lighter's `tensor` writer: the number when the sample has one element, else the nested list. */
function tensorValue(t: HostTensor): unknown {
  return t.data.length === 1 ? t.data[0] : toList(t);
}

const TABLE_WRITERS: Readonly<Record<string, TableWriterFunction>> = Object.freeze({
  tensor: tensorValue,
});

/** An item of a list cell: numbers as JavaScript prints them, strings JSON-quoted. */
function listItem(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(listItem).join(",")}]`;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  return JSON.stringify(value) ?? "null";
}

/** A cell: strings as they are, numbers as JavaScript prints them, lists as JSON, null empty. */
function cellOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object" && !Array.isArray(value)) {
    return JSON.stringify(value) ?? String(value);
  }
  return listItem(value);
}

/** Sorted by identifier when they are all numbers or all strings (pandas' sort_values), else as is. */
function sortedRecords(records: readonly TableRecord[]): TableRecord[] {
  const out = [...records];
  if (out.every((r) => typeof r.identifier === "number")) {
    out.sort((a, b) => (a.identifier as number) - (b.identifier as number));
  } else if (out.every((r) => typeof r.identifier === "string")) {
    out.sort((a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0));
  }
  return out;
}

/**
 * The CSV text of `records`: columns `identifier,pred`, `\n` line ends, cells quoted as Python's
 * csv module quotes them (only a cell holding a comma, a quote or a line break).
 */
function tableCsv(records: readonly TableRecord[]): string {
  const rows = records.map((r) => [cellOf(r.identifier), cellOf(r.pred)]);
  return stringifyCsv([["identifier", "pred"], ...rows], { record_delimiter: "\n" });
}

/**
 * Collects one record `{identifier, pred}` per predicted sample and, at the end of the predict
 * epoch, writes them to the CSV file `path` (atomically) with columns `identifier,pred`, sorted
 * by identifier when they are all numbers or all strings. With `writer: "tensor"`, `pred` is the
 * number when the sample has one element, else a JSON list nested as the sample's shape; a
 * function `(tensor) => value` makes the cell itself (strings as they are, other values as
 * JSON). The records are cleared after each write.
 *
 * @example
 * ```ts
 * import { callbacks } from "lumen";
 * const writer = new callbacks.TableWriter({ path: "/tmp/preds.csv", writer: "tensor" });
 * writer.write({ shape: [2], dtype: "float32", data: new Float32Array([0.5, 2]) }, "b");
 * writer.write({ shape: [1], dtype: "int32", data: new Int32Array([7]) }, "a");
 * console.log(writer.records.map((r) => r.pred)); // [[0.5, 2], 7]
 * // At the end of a predict epoch, /tmp/preds.csv holds:
 * // identifier,pred
 * // a,7
 * // b,"[0.5,2]"
 * ```
 */
export class TableWriter extends BaseWriter<TableWriterFunction> {
  #records: TableRecord[] = [];

  /** Checks the options (see {@link TableWriterOptions}). */
  constructor(options: TableWriterOptions) {
    super(options);
  }

  /** The built-in writer: `tensor`. */
  override get writers(): Readonly<Record<string, TableWriterFunction>> {
    return TABLE_WRITERS;
  }

  /** The records collected since the last write, in arrival order. */
  get records(): readonly TableRecord[] {
    return this.#records;
  }

  /** Adds the record `{identifier, pred: writer(sample)}`. */
  write(sample: HostTensor, identifier: Identifier): void {
    this.#records.push({ identifier, pred: this.writer(sample) });
  }

  /** The folder that holds `path`. */
  protected get directory(): string {
    return dirname(this.path);
  }

  /** Throws when `path` is an existing folder. */
  protected override async checkPath(): Promise<void> {
    try {
      if ((await Deno.stat(this.path)).isDirectory) {
        throw new Error(
          `TableWriter expects a file path (e.g. predictions.csv), got the folder ${this.path}`,
        );
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  /** Starts with no records. */
  override async setup(trainer: TrainerView, system: System, stage: Stage): Promise<void> {
    this.#records = [];
    await super.setup(trainer, system, stage);
  }

  /** Waits for the last batch, then writes the table and clears the records. */
  override async onPredictEpochEnd(trainer: TrainerView, system: System): Promise<void> {
    if (!this.active) return;
    await super.onPredictEpochEnd(trainer, system);
    const records = sortedRecords(this.#records);
    this.#records = [];
    await writeFileAtomic(this.path, new TextEncoder().encode(tableCsv(records)));
  }
}
