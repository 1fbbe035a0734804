/**
 * `CSVLogger`: Lightning 2.6's CSV logger: `saveDir/name/version_N/metrics.csv` and
 * `hparams.yaml`, with the same columns, cells and version numbering.
 *
 * @module
 */
import { writeFileAtomic } from "../../io/atomic_write.ts";
import { checkInt, checkString } from "../callbacks/checks.ts";
import { warnOnce } from "../callbacks/files.ts";
import { pyFloatRepr, pyJoin } from "../callbacks/python_compat.ts";
import { checkOptions } from "../../util/options.ts";
import { hparamsYaml } from "./hparams_yaml.ts";
import type { Logger } from "./logger.ts";
import { stringifyCsv } from "../../deps.ts";
import { nextVersion, versionDir } from "./_version.ts";

/** Options of {@link CSVLogger} (Lightning's arguments in camelCase). */
export interface CSVLoggerOptions {
  /** The root folder (required). */
  saveDir: string;
  /** The experiment folder under `saveDir` (default `lightning_logs`; `""` or null: none). */
  name?: string | null;
  /** A number N (folder `version_N`) or a folder name; default: one more than the highest `version_N` there. */
  version?: number | string | null;
  /** Put before each metric key, joined with `-`. */
  prefix?: string;
  /** Write metrics.csv when `(step + 1)` is a multiple of this (default 100), and at save/finalize. */
  flushLogsEveryNSteps?: number;
}

const OPTION_NAMES = [
  "saveDir",
  "name",
  "version",
  "prefix",
  "flushLogsEveryNSteps",
] as const satisfies readonly (keyof CSVLoggerOptions)[];

const OWNER = "CSVLogger";
const encoder = new TextEncoder();

/** One metrics.csv row: key → value; `epoch` and `step` are ints, the rest floats. */
type Row = Map<string, number>;

/**
 * Writes metrics to `saveDir/name/version_N/metrics.csv` exactly as Lightning's CSVLogger does:
 * one row per `logMetrics` call with a `step` column added, the columns are every key seen so far
 * in sorted order (the header is rewritten when new keys appear), missing values are empty cells,
 * floats are printed as Python prints them and `epoch`/`step` as ints. `logHyperparams` writes
 * `hparams.yaml`. Files are replaced atomically.
 *
 * @example
 * ```ts
 * import { loggers } from "lumen";
 * const saveDir = await Deno.makeTempDir();
 * const logger = new loggers.CSVLogger({ saveDir });
 * logger.logMetrics({ "train/loss/step": 1.4634126424789429, epoch: 0 }, 1);
 * await logger.finalize("success");
 * console.log(logger.version); // 0
 * console.log(await Deno.readTextFile(`${logger.logDir}/metrics.csv`));
 * // epoch,step,train/loss/step
 * // 0,1,1.4634126424789429
 * ```
 */
export class CSVLogger implements Logger {
  /** The root folder. */
  readonly saveDir: string;
  /** The experiment folder name ("" for none). */
  readonly name: string;
  /** The key prefix. */
  readonly prefix: string;
  /** Rows are written when `(step + 1) % flushLogsEveryNSteps == 0`. */
  readonly flushLogsEveryNSteps: number;

  #version: number | string | undefined;
  #started = false;
  #keys: string[] = [];
  #rows: Row[] = [];
  #pending = 0;
  #hparams: Record<string, unknown> = {};
  /** Writes run one after another, so a later (longer) file is never replaced by an earlier one. */
  #writes: Promise<void> = Promise.resolve();

  /** Checks the options; nothing is written until the first metrics or hyperparameters. */
  constructor(options: CSVLoggerOptions) {
    checkOptions(OWNER, options, OPTION_NAMES);
    if (options === undefined || options === null || options.saveDir === undefined) {
      throw new TypeError(`${OWNER}: option 'saveDir' is required (the root folder of the logs)`);
    }
    this.saveDir = checkString(OWNER, "saveDir", options.saveDir);
    this.name = options.name === null ? "" : checkString(
      OWNER,
      "name",
      options.name ?? "lightning_logs",
      true,
    );
    const v = options.version;
    if (v !== undefined && v !== null) {
      this.#version = typeof v === "string"
        ? checkString(OWNER, "version", v)
        : checkInt(OWNER, "version", v, 0);
    }
    this.prefix = checkString(OWNER, "prefix", options.prefix ?? "", true);
    this.flushLogsEveryNSteps = checkInt(
      OWNER,
      "flushLogsEveryNSteps",
      options.flushLogsEveryNSteps ?? 100,
      1,
    );
  }

  /** The version: given, or picked (highest existing `version_N` + 1) at first use. */
  get version(): number | string {
    this.#version ??= nextVersion(this.rootDir);
    return this.#version;
  }

  /** `saveDir/name`: the parent of the version folders. */
  get rootDir(): string {
    return pyJoin(this.saveDir, this.name);
  }

  /** `saveDir/name/version_N` (or the version string as the folder name). */
  get logDir(): string {
    return versionDir(this.rootDir, this.version);
  }

  /** The path of metrics.csv. */
  get metricsFile(): string {
    return pyJoin(this.logDir, "metrics.csv");
  }

  /** Creates the version folder on first use, clearing an old metrics.csv as Lightning does. */
  #start(): void {
    if (this.#started) return;
    this.#started = true;
    const dir = this.logDir;
    Deno.mkdirSync(this.rootDir, { recursive: true });
    let nonEmpty = false;
    try {
      for (const _ of Deno.readDirSync(dir)) {
        nonEmpty = true;
        break;
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (nonEmpty) {
      warnOnce(
        `Experiment logs directory ${dir} exists and is not empty. Previous log files in this` +
          " directory will be deleted when the new ones are saved!",
      );
      try {
        Deno.removeSync(this.metricsFile);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    Deno.mkdirSync(dir, { recursive: true });
  }

  /** Merges `params` into the recorded hyperparameters and rewrites `hparams.yaml`. */
  async logHyperparams(params: Record<string, unknown>): Promise<void> {
    this.#start();
    Object.assign(this.#hparams, params ?? {});
    const bytes = encoder.encode(hparamsYaml(this.#hparams));
    await this.#write(pyJoin(this.logDir, "hparams.yaml"), bytes);
  }

  /** Records a row (keys get the prefix; `step` is added); writes when the flush step comes. */
  logMetrics(metrics: Readonly<Record<string, number>>, step: number): void | Promise<void> {
    this.#start();
    const row: Row = new Map();
    for (const [k, v] of Object.entries(metrics)) {
      row.set(this.prefix ? `${this.prefix}-${k}` : k, v);
    }
    row.set("step", step);
    this.#rows.push(row);
    this.#pending++;
    if ((step + 1) % this.flushLogsEveryNSteps === 0) return this.save();
  }

  /** Writes metrics.csv (atomically) when rows were added since the last write. */
  async save(): Promise<void> {
    if (this.#pending === 0) return;
    const known = new Set(this.#keys);
    for (const row of this.#rows.slice(this.#rows.length - this.#pending)) {
      for (const k of row.keys()) {
        if (!known.has(k)) {
          known.add(k);
          this.#keys.push(k);
        }
      }
    }
    this.#keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.#pending = 0;
    await this.#write(this.metricsFile, encoder.encode(this.#render()));
  }

  #write(path: string, bytes: Uint8Array): Promise<void> {
    const next = this.#writes.then(() => writeFileAtomic(path, bytes));
    this.#writes = next.catch(() => {});
    return next;
  }

  /** Writes what is pending; a logger that never logged writes nothing. */
  async finalize(_status: string): Promise<void> {
    if (!this.#started) return;
    await this.save();
  }

  #cell(key: string, value: number): string {
    const bare = this.prefix && key.startsWith(`${this.prefix}-`)
      ? key.slice(this.prefix.length + 1)
      : key;
    const isInt = key === "step" || bare === "epoch";
    return isInt && Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  }

  /**
   * The whole file. csv-stringify quotes as Python's csv module does (QUOTE_MINIMAL: a cell holding
   * the delimiter, a quote or a line break), and Lightning's file ends lines with `\n`.
   */
  #render(): string {
    const cells = this.#rows.map((row) =>
      this.#keys.map((k) => row.has(k) ? this.#cell(k, row.get(k)!) : "")
    );
    return stringifyCsv([this.#keys, ...cells], { record_delimiter: "\n" });
  }
}
