/**
 * `TensorBoardLogger`: Lightning 2.6's TensorBoard logger: event files that TensorBoard reads, in
 * `saveDir/name/version_N/`, and `hparams.yaml`.
 *
 * @module
 */
import { writeFileAtomic } from "../../io/atomic_write.ts";
import { eventRecord, type EventToWrite, FILE_VERSION } from "../../io/tfevents.ts";
import { checkOptions } from "../../util/options.ts";
import { checkBool, checkInt, checkString } from "../callbacks/checks.ts";
import { pyJoin } from "../callbacks/python_compat.ts";
import { flattenHparams, hparamsSummaries } from "./_tensorboard_hparams.ts";
import { nextVersion, versionDir } from "./_version.ts";
import { hparamsYaml } from "./hparams_yaml.ts";
import type { Logger } from "./logger.ts";

/** Options of {@link TensorBoardLogger} (Lightning's arguments in camelCase). */
export interface TensorBoardLoggerOptions {
  /** The root folder (required). */
  saveDir: string;
  /** The experiment folder under `saveDir` (default `lightning_logs`; `""` or null: none). */
  name?: string | null;
  /** A number N (folder `version_N`) or a folder name; default: one more than the highest `version_N` there. */
  version?: number | string | null;
  /** Put before each metric key, joined with `-`. */
  prefix?: string;
  /** A folder under the version folder for the files (Lightning's `sub_dir`). */
  subDir?: string | null;
  /** `logHyperparams` also logs `hp_metric` = -1 and the hparams plugin's summaries (default true). */
  defaultHpMetric?: boolean;
}

const OPTION_NAMES = [
  "saveDir",
  "name",
  "version",
  "prefix",
  "subDir",
  "defaultHpMetric",
] as const satisfies readonly (keyof TensorBoardLoggerOptions)[];

const OWNER = "TensorBoardLogger";
/** `source_metadata.writer` of lumen's event files. */
const WRITER = "lumen";
const encoder = new TextEncoder();

/** Event files opened by this process: the last part of their names, as TensorBoard counts. */
let filesOpened = 0;

/**
 * Python's `socket.gethostname()`, without asking for a permission the process lacks (the CLI runs
 * without `--allow-sys`): `Deno.hostname()`, else `/etc/hostname` (`/proc` needs `--allow-all`),
 * else `$HOSTNAME`, else "localhost".
 */
function hostname(): string {
  const granted = (p: Deno.PermissionDescriptor) =>
    Deno.permissions.querySync(p).state === "granted";
  try {
    if (granted({ name: "sys", kind: "hostname" })) return Deno.hostname();
  } catch {
    // Fall through to the file.
  }
  try {
    const etc = "/etc/hostname";
    if (granted({ name: "read", path: etc })) {
      const host = Deno.readTextFileSync(etc).trim();
      if (host) return host;
    }
  } catch {
    // No such file (not Linux): fall through.
  }
  if (granted({ name: "env", variable: "HOSTNAME" })) {
    const host = Deno.env.get("HOSTNAME");
    if (host) return host;
  }
  return "localhost";
}

function wallTime(): number {
  return Date.now() / 1000;
}

/**
 * Writes metrics as TensorBoard event files, laid out as Lightning's TensorBoardLogger does:
 * `saveDir/name/version_N/events.out.tfevents.<time>.<host>.<pid>.<n>`. A file starts with the
 * `brain.Event:2` file-version event; `logMetrics` appends one event per key with a float32
 * `simple_value` at `step` (written at once; `save()` syncs the file to disk). `logHyperparams`
 * writes `hparams.yaml` and, as Lightning does, logs `hp_metric` = -1 at step 0 and the
 * hyperparameters (flattened with `/`) for TensorBoard's HPARAMS tab. After `finalize`, logging
 * again opens a new event file, as TensorBoard's writer does after `close()`.
 *
 * @example
 * ```ts
 * import { loggers } from "lumen";
 * const saveDir = await Deno.makeTempDir();
 * const logger = new loggers.TensorBoardLogger({ saveDir, name: "lr_0.1" });
 * logger.logMetrics({ "train/loss/step": 0.5, epoch: 0 }, 1);
 * await logger.finalize("success");
 * console.log(logger.logDir === `${saveDir}/lr_0.1/version_0`); // true
 * const [file] = logger.eventFiles;
 * console.log(/\/events\.out\.tfevents\.\d{10}\.[^/]+\.\d+\.\d+$/.test(file)); // true
 * // The file-version event, then one event per key.
 * console.log((await Deno.stat(file)).size); // 145
 * ```
 */
export class TensorBoardLogger implements Logger {
  /** The root folder. */
  readonly saveDir: string;
  /** The experiment folder name ("" for none). */
  readonly name: string;
  /** The key prefix. */
  readonly prefix: string;
  /** The folder under the version folder ("" for none). */
  readonly subDir: string;
  /** Whether `logHyperparams` logs `hp_metric` = -1 and the hparams plugin's summaries. */
  readonly defaultHpMetric: boolean;

  #version: number | string | undefined;
  #file: Deno.FsFile | undefined;
  #files: string[] = [];
  #hparams: Record<string, unknown> = {};
  /** hparams.yaml writes run one after another, so an older file never replaces a newer one. */
  #writes: Promise<void> = Promise.resolve();

  /** Checks the options; nothing is written until the first metrics or hyperparameters. */
  constructor(options: TensorBoardLoggerOptions) {
    checkOptions(OWNER, options, OPTION_NAMES);
    if (options === undefined || options === null || options.saveDir === undefined) {
      throw new TypeError(`${OWNER}: option 'saveDir' is required (the root folder of the logs)`);
    }
    this.saveDir = checkString(OWNER, "saveDir", options.saveDir);
    this.name = options.name === null
      ? ""
      : checkString(OWNER, "name", options.name ?? "lightning_logs", true);
    const v = options.version;
    if (v !== undefined && v !== null) {
      this.#version = typeof v === "string"
        ? checkString(OWNER, "version", v)
        : checkInt(OWNER, "version", v, 0);
    }
    this.prefix = checkString(OWNER, "prefix", options.prefix ?? "", true);
    this.subDir = options.subDir === null
      ? ""
      : checkString(OWNER, "subDir", options.subDir ?? "", true);
    this.defaultHpMetric = checkBool(OWNER, "defaultHpMetric", options.defaultHpMetric ?? true);
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

  /** `saveDir/name/version_N` (or the version string as the folder name), then `subDir`. */
  get logDir(): string {
    const dir = versionDir(this.rootDir, this.version);
    return this.subDir ? pyJoin(dir, this.subDir) : dir;
  }

  /** The event files written so far, oldest first. */
  get eventFiles(): readonly string[] {
    return [...this.#files];
  }

  /** The open event file; the first write creates it with the file-version event. */
  #open(): Deno.FsFile {
    if (this.#file) return this.#file;
    const dir = this.logDir;
    Deno.mkdirSync(dir, { recursive: true });
    const seconds = String(Math.floor(wallTime())).padStart(10, "0");
    const path = pyJoin(
      dir,
      `events.out.tfevents.${seconds}.${hostname()}.${Deno.pid}.${filesOpened++}`,
    );
    const file = Deno.openSync(path, { write: true, create: true, truncate: true });
    this.#file = file;
    this.#files.push(path);
    this.#append([{ wallTime: wallTime(), fileVersion: FILE_VERSION, sourceWriter: WRITER }]);
    return file;
  }

  /** Appends the events' records in one write. */
  #append(events: readonly EventToWrite[]): void {
    if (events.length === 0) return;
    const file = this.#open();
    const records = events.map(eventRecord);
    const bytes = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
    let at = 0;
    for (const r of records) {
      bytes.set(r, at);
      at += r.length;
    }
    for (let written = 0; written < bytes.length;) {
      written += file.writeSync(bytes.subarray(written));
    }
  }

  /**
   * Merges `params` into the recorded hyperparameters and rewrites `hparams.yaml`; with
   * `defaultHpMetric`, also logs `hp_metric` = -1 at step 0 and the hparams plugin's summaries.
   */
  async logHyperparams(params: Record<string, unknown>): Promise<void> {
    Object.assign(this.#hparams, params ?? {});
    const dir = this.logDir;
    Deno.mkdirSync(dir, { recursive: true });
    if (this.defaultHpMetric) {
      const metrics = { hp_metric: -1 };
      this.logMetrics(metrics, 0);
      const now = wallTime();
      const summaries = hparamsSummaries(flattenHparams(params ?? {}), Object.keys(metrics));
      this.#append(summaries.map((summary) => ({ wallTime: now, summary })));
    }
    const bytes = encoder.encode(hparamsYaml(this.#hparams));
    const next = this.#writes.then(() => writeFileAtomic(pyJoin(dir, "hparams.yaml"), bytes));
    this.#writes = next.catch(() => {});
    await next;
  }

  /** Appends one scalar event per key (keys get the prefix) at `step`. */
  logMetrics(metrics: Readonly<Record<string, number>>, step: number): void {
    if (!Number.isSafeInteger(step)) {
      throw new TypeError(`${OWNER}: 'step' must be an integer, got ${step}`);
    }
    const entries = Object.entries(metrics);
    for (const [k, v] of entries) {
      if (typeof v !== "number") {
        throw new TypeError(
          `${OWNER}: metric '${k}' must be a number, got ${typeof v} (a scalar is expected)`,
        );
      }
    }
    if (entries.length === 0) return;
    this.#open();
    const now = wallTime();
    this.#append(entries.map(([k, v]) => ({
      wallTime: now,
      step,
      summary: [{ tag: this.prefix ? `${this.prefix}-${k}` : k, simpleValue: v }],
    })));
  }

  /** Syncs the event file to disk (its records are written as they come). */
  async save(): Promise<void> {
    await this.#file?.syncData();
    await this.#writes;
  }

  /** Syncs and closes the event file; a later log opens a new one. */
  async finalize(_status: string): Promise<void> {
    const file = this.#file;
    if (!file) return this.#writes;
    this.#file = undefined;
    try {
      await file.syncData();
    } finally {
      file.close();
    }
    await this.#writes;
  }
}
