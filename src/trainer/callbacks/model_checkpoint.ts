/**
 * `ModelCheckpoint`: Lightning 2.6's checkpoint callback: file names from templates, the top-k
 * by a monitored value, `last.ckpt`, `-vN` names for clashes, and the bookkeeping that a resumed
 * fit restores.
 *
 * @module
 */
import type { StepOutput, System } from "../../system/system.ts";
import type { Stage, TrainerView } from "../trainer_view.ts";
import { Callback } from "./callback.ts";
import { checkBool, checkInt, checkMode, checkString } from "./checks.ts";
import { exists, isInside, linkTo, makeParent, realPath, removePath, warnOnce } from "./files.ts";
import {
  pyFormat,
  PyFormatError,
  pyFormatTemplate,
  pyJoin,
  type PyNumber,
  pyStrRepr,
} from "./python_compat.ts";
import { ValCadence } from "./val_cadence.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of {@link ModelCheckpoint} (Lightning's arguments in camelCase). */
export interface ModelCheckpointOptions {
  /** Folder of the checkpoints. Default: `<logDir>/checkpoints` with a logger, else `<defaultRootDir>/checkpoints`. */
  dirpath?: string | null;
  /** File name template, e.g. `{epoch}-{step}` (the default) or `best-{epoch:02d}-{val/loss/epoch:.4f}`. */
  filename?: string | null;
  /** The logged key to rank checkpoints by (e.g. `val/loss/epoch`); none keeps the newest only. */
  monitor?: string | null;
  /** `min` (default) keeps the lowest values of `monitor`, `max` the highest. */
  mode?: "min" | "max";
  /** How many checkpoints to keep: k best (default 1), -1 all, 0 none. */
  saveTopK?: number;
  /** Also write `last.ckpt` after each save (`"link"`: a symlink to the latest checkpoint). */
  saveLast?: boolean | "link" | null;
  /** Save the weights only (no optimizer, scheduler or loop state). */
  saveWeightsOnly?: boolean;
  /** Save at the end of every n-th epoch (default 1 unless `everyNTrainSteps` is set; 0 = never). */
  everyNEpochs?: number | null;
  /** Save every n optimizer steps (0 or unset = never). */
  everyNTrainSteps?: number | null;
  /** Write `name=value` for each template field (default true); false writes the value only. */
  autoInsertMetricName?: boolean;
  /** Add `-v1`, `-v2`, ... to a name that exists already (default true); false overwrites. */
  enableVersionCounter?: boolean;
  /** Print a line for each decision. */
  verbose?: boolean;
  /** Act at the end of the training epoch (true) or of validation (false); unset: Lightning's rule. */
  saveOnTrainEpochEnd?: boolean | null;
  /** Save a checkpoint when the fit fails. */
  saveOnException?: boolean;
}

const OPTION_NAMES = [
  "dirpath",
  "filename",
  "monitor",
  "mode",
  "saveTopK",
  "saveLast",
  "saveWeightsOnly",
  "everyNEpochs",
  "everyNTrainSteps",
  "autoInsertMetricName",
  "enableVersionCounter",
  "verbose",
  "saveOnTrainEpochEnd",
  "saveOnException",
] as const satisfies readonly (keyof ModelCheckpointOptions)[];

const OWNER = "ModelCheckpoint";

/** Monitor candidates: the trainer's callback metrics plus `epoch` and `step` as ints. */
type Candidates = Map<string, PyNumber>;

/** A score as it goes into JSON state (JSON has no Infinity or NaN). */
type JsonScore = number | string | null;

function encodeScore(x: number | null): JsonScore {
  if (x === null) return null;
  return Number.isFinite(x) ? x : String(x);
}

function decodeScore(x: unknown): number | null {
  if (x === null || x === undefined) return null;
  if (typeof x === "number") return x;
  const n = { Infinity: Infinity, "-Infinity": -Infinity, NaN: NaN, inf: Infinity }[String(x)];
  return n ?? Number(x);
}

function optional<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

/**
 * Saves checkpoints during a fit, as Lightning 2.6's ModelCheckpoint does: after each training
 * epoch (or validation, when validation runs several times an epoch or not every epoch), every
 * `everyNEpochs` epochs or `everyNTrainSteps` steps; keeps the newest one (no `monitor`) or the
 * `saveTopK` best by `monitor`; `saveLast` adds `last.ckpt`. Files are written through
 * `trainer.saveCheckpoint`; a replaced file is deleted only after its successor is written.
 * Nothing is saved in the sanity check, outside fit, or with `fast_dev_run`.
 *
 * @example
 * ```ts
 * import { callbacks } from "lumen";
 * const ckpt = new callbacks.ModelCheckpoint({
 *   monitor: "val/loss/epoch",
 *   filename: "best-{epoch:02d}-{val/loss/epoch:.4f}",
 *   autoInsertMetricName: false,
 * });
 * console.log(ckpt.formatCheckpointName({ epoch: 2, "val/loss/epoch": 1.0807634592056274 }));
 * // best-02-1.0808.ckpt
 * console.log(new callbacks.ModelCheckpoint({}).formatCheckpointName({ epoch: 1, step: 10 }));
 * // epoch=1-step=10.ckpt
 * ```
 */
export class ModelCheckpoint extends Callback {
  /** The monitored key, or undefined (keep the newest checkpoint). */
  readonly monitor: string | undefined;
  /** `min` or `max`. */
  readonly mode: "min" | "max";
  /** How many checkpoints are kept (-1 all, 0 none). */
  readonly saveTopK: number;
  /** Whether (and how) `last.ckpt` is written. */
  readonly saveLast: boolean | "link";
  /** Whether only weights are saved. */
  readonly saveWeightsOnly: boolean;
  /** The file name template (undefined: `{epoch}-{step}`). */
  readonly filename: string | undefined;
  /** Whether `name=` is inserted before each template field. */
  readonly autoInsertMetricName: boolean;
  /** Whether clashing names get `-vN`. */
  readonly enableVersionCounter: boolean;
  /** Whether decisions are printed. */
  readonly verbose: boolean;
  /** Save every n epochs (0: not at epoch ends). */
  readonly everyNEpochs: number;
  /** Save every n optimizer steps (0: never). */
  readonly everyNTrainSteps: number;
  /** Whether a failing fit saves a checkpoint. */
  readonly saveOnException: boolean;

  #dirpath: string | undefined;
  #explicitDir: boolean;
  #saveOnTrainEpochEnd: boolean | undefined;
  #bestK = new Map<string, number>();
  #kthBestModelPath = "";
  #kthValue: number;
  #bestModelPath = "";
  #bestModelScore: number | null = null;
  #currentScore: number | null = null;
  #lastModelPath = "";
  #lastCheckpointSaved = "";
  #lastGlobalStepSaved = 0;
  #deferUntilValidation = false;
  #cadence = new ValCadence();

  /** Checks the options like Lightning (top-k >= -1, one trigger at most, a mode of min/max). */
  constructor(options: ModelCheckpointOptions = {}) {
    super();
    checkOptions(OWNER, options, OPTION_NAMES);
    const o = options ?? {};
    const monitor = optional(o.monitor);
    this.monitor = monitor === undefined ? undefined : checkString(OWNER, "monitor", monitor);
    this.mode = checkMode(OWNER, o.mode ?? "min");
    this.#kthValue = this.mode === "min" ? Infinity : -Infinity;
    this.saveTopK = checkInt(OWNER, "saveTopK", o.saveTopK ?? 1, -1);
    const saveLast = optional(o.saveLast) ?? false;
    if (saveLast !== true && saveLast !== false && saveLast !== "link") {
      throw new TypeError(
        `${OWNER}: 'saveLast' must be true, false or "link", got ${JSON.stringify(saveLast)}`,
      );
    }
    this.saveLast = saveLast;
    this.saveWeightsOnly = checkBool(OWNER, "saveWeightsOnly", o.saveWeightsOnly ?? false);
    const filename = optional(o.filename);
    this.filename = filename === undefined || filename === ""
      ? undefined
      : checkString(OWNER, "filename", filename);
    this.autoInsertMetricName = checkBool(
      OWNER,
      "autoInsertMetricName",
      o.autoInsertMetricName ?? true,
    );
    this.enableVersionCounter = checkBool(
      OWNER,
      "enableVersionCounter",
      o.enableVersionCounter ?? true,
    );
    this.verbose = checkBool(OWNER, "verbose", o.verbose ?? false);
    this.saveOnException = checkBool(OWNER, "saveOnException", o.saveOnException ?? false);
    const sote = optional(o.saveOnTrainEpochEnd);
    this.#saveOnTrainEpochEnd = sote === undefined
      ? undefined
      : checkBool(OWNER, "saveOnTrainEpochEnd", sote);

    const nEpochs = optional(o.everyNEpochs), nSteps = optional(o.everyNTrainSteps);
    if (nEpochs === undefined && nSteps === undefined) {
      this.everyNEpochs = 1;
      this.everyNTrainSteps = 0;
    } else {
      this.everyNEpochs = checkInt(OWNER, "everyNEpochs", nEpochs ?? 0, 0);
      this.everyNTrainSteps = checkInt(OWNER, "everyNTrainSteps", nSteps ?? 0, 0);
    }
    if (this.everyNEpochs >= 1 && this.everyNTrainSteps >= 1) {
      throw new RangeError(
        `${OWNER}: everyNTrainSteps=${this.everyNTrainSteps} and everyNEpochs=${this.everyNEpochs}` +
          " should be mutually exclusive (set one of them)",
      );
    }
    if (this.monitor === undefined && ![-1, 0, 1].includes(this.saveTopK)) {
      throw new RangeError(
        `${OWNER}: saveTopK=${this.saveTopK} with no 'monitor' is not a valid configuration.` +
          " No quantity for top_k to track (use -1, 0 or 1, or set 'monitor').",
      );
    }
    const dirpath = optional(o.dirpath);
    this.#explicitDir = dirpath !== undefined && dirpath !== "";
    this.#dirpath = this.#explicitDir
      ? realPath(checkString(OWNER, "dirpath", dirpath))
      : undefined;
  }

  /** Lightning's state key: the class name and the options that tell instances apart. */
  override get stateKey(): string {
    const monitor = this.monitor === undefined ? "None" : pyStrRepr(this.monitor);
    return `ModelCheckpoint{'monitor': ${monitor}, 'mode': '${this.mode}', ` +
      `'every_n_train_steps': ${this.everyNTrainSteps}, 'every_n_epochs': ${this.everyNEpochs}, ` +
      `'train_time_interval': None}`;
  }

  /** The checkpoint folder (resolved at `setup` when not given). */
  get dirpath(): string | undefined {
    return this.#dirpath;
  }
  /** The path of the best checkpoint so far (the newest one without `monitor`); "" before any. */
  get bestModelPath(): string {
    return this.#bestModelPath;
  }
  /** The monitored value of `bestModelPath`, or null. */
  get bestModelScore(): number | null {
    return this.#bestModelScore;
  }
  /** The kept top-k checkpoints: path → monitored value. */
  get bestKModels(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#bestK);
  }
  /** The worst of the kept top-k (the next to be replaced), once k are kept; else "". */
  get kthBestModelPath(): string {
    return this.#kthBestModelPath;
  }
  /** The monitored value of `kthBestModelPath` (±Infinity before k are kept). */
  get kthValue(): number {
    return this.#kthValue;
  }
  /** The monitored value at the latest top-k save, or null. */
  get currentScore(): number | null {
    return this.#currentScore;
  }
  /** The path of the latest `last.ckpt`; "" before any. */
  get lastModelPath(): string {
    return this.#lastModelPath;
  }

  /**
   * The path a checkpoint gets for `metrics` (`epoch` and `step` are ints, other values floats;
   * a field whose key is missing prints 0), with `-v{ver}` when given; joined to `dirpath` once
   * that is known.
   */
  formatCheckpointName(
    metrics: Readonly<Record<string, number>>,
    options: { filename?: string; ver?: number } = {},
  ): string {
    const values: Candidates = new Map();
    for (const [k, v] of Object.entries(metrics)) {
      values.set(k, { value: v, isInt: k === "epoch" || k === "step" });
    }
    return this.#formatName(values, options.filename, options.ver);
  }

  #formatName(metrics: Candidates, filename?: string, ver?: number): string {
    let name = filename ?? this.filename ?? "{epoch}-{step}";
    // Lightning's rewriting: each `{name` (up to ':' or '}') becomes `name={0[name]`, longest first.
    const groups = [...name.matchAll(/(\{.*?)[:}]/g)].map((m) => m[1]);
    groups.sort((a, b) => b.length - a.length);
    for (const group of groups) {
      const key = group.slice(1);
      if (this.autoInsertMetricName) name = name.replaceAll(group, () => `${key}={${key}`);
      name = name.replaceAll(group, () => `{0[${key}]`);
      if (!metrics.has(key)) metrics.set(key, { value: 0, isInt: true });
    }
    try {
      name = pyFormatTemplate(name, (key) => {
        const v = metrics.get(key);
        if (v === undefined) throw new PyFormatError(`KeyError: ${pyStrRepr(key)}`);
        return v;
      });
    } catch (e) {
      if (!(e instanceof PyFormatError)) throw e;
      const template = filename ?? this.filename ?? "{epoch}-{step}";
      throw new Error(`${OWNER}: cannot format filename '${template}': ${e.message}`);
    }
    if (ver !== undefined) name += `-v${ver}`;
    const file = `${name}.ckpt`;
    return this.#dirpath ? pyJoin(this.#dirpath, file) : file;
  }

  // ---- hooks ----------------------------------------------------------------------------------

  /** Resolves the folder; warns when it holds files already; creates an explicit one (fit). */
  override async setup(trainer: TrainerView, _system: System, stage: Stage): Promise<void> {
    if (this.#dirpath === undefined) {
      if (trainer.loggers.length > 0) {
        this.#dirpath = pyJoin(trainer.logDir ?? trainer.loggers[0].logDir, "checkpoints");
      } else {
        this.#dirpath = pyJoin(trainer.defaultRootDir, "checkpoints");
      }
    }
    if (stage !== "fit") return;
    if (this.saveTopK !== 0) {
      try {
        let any = false;
        for await (const _ of Deno.readDir(this.#dirpath)) {
          any = true;
          break;
        }
        if (any) warnOnce(`Checkpoint directory ${this.#dirpath} exists and is not empty.`);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) {
          throw e;
        }
      }
    }
    // Lightning leaves an explicit dirpath behind even when nothing is saved (fast_dev_run).
    if (this.#explicitDir) await Deno.mkdir(this.#dirpath, { recursive: true });
  }

  /** Resets the per-epoch bookkeeping. */
  override onTrainEpochStart(_trainer: TrainerView, _system: System): void {
    this.#cadence.epochStart();
  }

  /** Saves every `everyNTrainSteps` optimizer steps. */
  override async onTrainBatchEnd(
    trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    batchIdx: number,
  ): Promise<void> {
    this.#cadence.batchEnd(batchIdx);
    const skipForState = this.#shouldSkip(trainer);
    const n = this.everyNTrainSteps;
    if (n < 1 || trainer.globalStep % n !== 0) return;
    const candidates = this.#candidates(trainer);
    if (this.monitor !== undefined) {
      // A key that only validation logs: save once validation has produced it.
      if (!candidates.has(this.monitor)) {
        this.#deferUntilValidation = true;
        return;
      }
      // The value may be stale when validation runs right after this batch: wait for it.
      if (
        !this.#actsAtTrainEpochEnd() && this.#cadence.isLastBatch(trainer, batchIdx) &&
        this.#cadence.expectsValidation(trainer)
      ) {
        this.#deferUntilValidation = true;
        return;
      }
    }
    if (skipForState) return;
    await this.#saveTopK(trainer, candidates);
    await this.#saveLastCheckpoint(trainer, candidates);
  }

  /** Tracks validation runs. */
  override onValidationStart(trainer: TrainerView, _system: System): void {
    this.#cadence.validationStart(trainer);
  }

  /** Tracks validation runs. */
  override onValidationBatchEnd(
    trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    _batchIdx: number,
  ): void {
    this.#cadence.validationBatchEnd(trainer);
  }

  /** Saves here when validation runs several times an epoch or not every epoch. */
  override async onValidationEnd(trainer: TrainerView, _system: System): Promise<void> {
    this.#cadence.validationEnd(trainer);
    if (this.#shouldSkip(trainer) || this.#actsAtTrainEpochEnd()) return;
    const candidates = this.#candidates(trainer);
    if (this.#deferUntilValidation) {
      await this.#saveTopK(trainer, candidates);
      await this.#saveLastCheckpoint(trainer, candidates);
      this.#deferUntilValidation = false;
      return;
    }
    await this.#saveAtEpochLevel(trainer, candidates);
  }

  /** Saves at the end of the training epoch (after its validation): Lightning's default. */
  override async onTrainEpochEnd(trainer: TrainerView, _system: System): Promise<void> {
    this.#cadence.trainEpochEnd(trainer);
    if (this.#shouldSkip(trainer) || !this.#actsAtTrainEpochEnd()) return;
    await this.#saveAtEpochLevel(trainer, this.#candidates(trainer));
  }

  /** Writes `last.ckpt` at the end when `saveLast` is set and nothing was saved during the fit. */
  override async onTrainEnd(trainer: TrainerView, _system: System): Promise<void> {
    if (!this.saveLast || this.#lastCheckpointSaved || trainer.fastDevRun > 0) return;
    if (trainer.stage !== "fit") return;
    await this.#saveLastCheckpoint(trainer, this.#candidates(trainer));
  }

  /** With `saveOnException`, saves a checkpoint of the failing fit. */
  override async onException(trainer: TrainerView, _system: System, error: unknown): Promise<void> {
    if (
      !this.saveOnException || trainer.fastDevRun > 0 || trainer.sanityChecking ||
      this.#lastGlobalStepSaved === trainer.globalStep || this.#dirpath === undefined
    ) {
      return;
    }
    const candidates = this.#candidates(trainer);
    const filepath = this.#formatName(candidates);
    await this.#saveCheckpoint(trainer, filepath);
    await this.#saveLastCheckpoint(trainer, candidates);
    const kind = error instanceof Error ? error.name : typeof error;
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      `An ${kind} was raised with message: ${message}, saved checkpoint to ${filepath}`,
    );
  }

  // ---- state ----------------------------------------------------------------------------------

  /** The top-k bookkeeping, under Lightning's names (scores that are not finite as strings). */
  override stateDict(): Record<string, unknown> {
    const bestK: Record<string, JsonScore> = {};
    for (const [path, score] of this.#bestK) bestK[path] = encodeScore(score);
    return {
      monitor: this.monitor ?? null,
      best_model_score: encodeScore(this.#bestModelScore),
      best_model_path: this.#bestModelPath,
      current_score: encodeScore(this.#currentScore),
      dirpath: this.#dirpath ?? null,
      best_k_models: bestK,
      kth_best_model_path: this.#kthBestModelPath,
      kth_value: encodeScore(this.#kthValue),
      last_model_path: this.#lastModelPath,
    };
  }

  /**
   * Restores `stateDict()`'s output (call after `setup`). As in Lightning, when the checkpoint's
   * dirpath differs from this one only `bestModelPath` is restored, with a warning.
   */
  override loadStateDict(state: Record<string, unknown>): void {
    const fromCkpt = (state.dirpath as string | null | undefined) ?? this.#dirpath;
    if (fromCkpt === this.#dirpath) {
      this.#bestModelScore = decodeScore(state.best_model_score);
      if (typeof state.kth_best_model_path === "string") {
        this.#kthBestModelPath = state.kth_best_model_path;
      }
      if (state.kth_value !== undefined) {
        this.#kthValue = decodeScore(state.kth_value) ?? this.#kthValue;
      }
      if (state.best_k_models && typeof state.best_k_models === "object") {
        this.#bestK = new Map(
          Object.entries(state.best_k_models as Record<string, unknown>).map((
            [p, s],
          ) => [p, decodeScore(s) ?? NaN]),
        );
      }
      if (typeof state.last_model_path === "string") this.#lastModelPath = state.last_model_path;
    } else {
      console.warn(
        `The dirpath has changed from ${pyStrRepr(String(fromCkpt))} to ` +
          `${pyStrRepr(String(this.#dirpath))}, therefore \`best_model_score\`, ` +
          "`kth_best_model_path`, `kth_value`, `last_model_path` and `best_k_models` won't be " +
          "reloaded. Only `best_model_path` will be reloaded.",
      );
    }
    if (typeof state.best_model_path === "string") this.#bestModelPath = state.best_model_path;
  }

  // ---- saving ---------------------------------------------------------------------------------

  #actsAtTrainEpochEnd(): boolean {
    return this.#saveOnTrainEpochEnd ?? this.#cadence.actsAtTrainEpochEnd();
  }

  #shouldSkip(trainer: TrainerView): boolean {
    return trainer.fastDevRun > 0 || trainer.stage !== "fit" || trainer.sanityChecking ||
      this.#lastGlobalStepSaved === trainer.globalStep;
  }

  #candidates(trainer: TrainerView): Candidates {
    const out: Candidates = new Map();
    for (const [k, v] of Object.entries(trainer.callbackMetrics)) {
      out.set(k, { value: v, isInt: false });
    }
    const epoch = out.get("epoch"), step = out.get("step");
    out.set("epoch", {
      value: epoch ? Math.trunc(epoch.value) : trainer.currentEpoch,
      isInt: true,
    });
    out.set("step", { value: step ? Math.trunc(step.value) : trainer.globalStep, isInt: true });
    return out;
  }

  async #saveAtEpochLevel(trainer: TrainerView, candidates: Candidates): Promise<void> {
    if (this.everyNEpochs >= 1 && (trainer.currentEpoch + 1) % this.everyNEpochs === 0) {
      await this.#saveTopK(trainer, candidates);
    }
    // last.ckpt follows a save made at this step (or, as a link, the latest save).
    if (
      this.#lastGlobalStepSaved === trainer.globalStep ||
      (this.saveLast === "link" && this.#lastCheckpointSaved)
    ) {
      await this.#saveLastCheckpoint(trainer, candidates);
    }
  }

  async #saveTopK(trainer: TrainerView, candidates: Candidates): Promise<void> {
    if (this.saveTopK === 0) return;
    if (this.monitor === undefined) {
      await this.#saveNoMonitor(trainer, candidates);
      return;
    }
    if (!candidates.has(this.monitor)) {
      const keys = `[${[...candidates.keys()].map(pyStrRepr).join(", ")}]`;
      const m = `\`ModelCheckpoint(monitor=${pyStrRepr(this.monitor)})\` could not find the ` +
        `monitored key in the returned metrics: ${keys}. HINT: the System logs ` +
        "`{mode}/loss/epoch` and `{mode}/metrics/{Name}/epoch` (and `/step` variants); " +
        `did it log ${pyStrRepr(this.monitor)} before this check?`;
      if (this.#cadence.valHasRun) {
        const error = new Error(m);
        error.name = "MisconfigurationException";
        throw error;
      }
      warnOnce(m);
    }
    const current = candidates.get(this.monitor)?.value;
    if (current !== undefined && this.#qualifies(current)) {
      await this.#updateBestAndSave(current, trainer, candidates);
    } else if (this.verbose) {
      const e = candidates.get("epoch")!.value, s = candidates.get("step")!.value;
      console.error(
        `Epoch ${e}, global step ${s}: ${pyStrRepr(this.monitor)} was not in top ${this.saveTopK}`,
      );
    }
  }

  #qualifies(current: number): boolean {
    if (this.saveTopK === -1 || this.#bestK.size < this.saveTopK) return true;
    const kth = this.#bestK.get(this.#kthBestModelPath)!;
    return this.mode === "min" ? current < kth : current > kth;
  }

  /** The first (insertion order) path with the lowest (`lowest`) or highest score. */
  #extreme(lowest: boolean): string {
    let best = "", bestScore = 0, first = true;
    for (const [path, score] of this.#bestK) {
      if (first || (lowest ? score < bestScore : score > bestScore)) {
        [best, bestScore, first] = [path, score, false];
      }
    }
    return best;
  }

  async #saveNoMonitor(trainer: TrainerView, candidates: Candidates): Promise<void> {
    const filepath = await this.#versionedPath(candidates, this.#bestModelPath);
    const previous = this.#bestModelPath;
    this.#bestModelPath = filepath; // before saving: it is part of the saved state
    await this.#saveCheckpoint(trainer, filepath);
    if (this.saveTopK === 1 && previous && this.#shouldRemove(previous, filepath)) {
      await removePath(previous);
    }
  }

  async #updateBestAndSave(
    score: number,
    trainer: TrainerView,
    candidates: Candidates,
  ): Promise<void> {
    const k = this.saveTopK === -1 ? this.#bestK.size + 1 : this.saveTopK;
    let replaced: string | undefined;
    if (this.#bestK.size === k && k > 0) {
      replaced = this.#kthBestModelPath;
      this.#bestK.delete(replaced);
    }
    const current = Number.isNaN(score) ? (this.mode === "min" ? Infinity : -Infinity) : score;
    const filepath = await this.#versionedPath(candidates, replaced);
    this.#currentScore = current;
    this.#bestK.set(filepath, current);
    if (this.#bestK.size === k) {
      this.#kthBestModelPath = this.#extreme(this.mode !== "min");
      this.#kthValue = this.#bestK.get(this.#kthBestModelPath)!;
    }
    this.#bestModelPath = this.#extreme(this.mode === "min");
    this.#bestModelScore = this.#bestK.get(this.#bestModelPath)!;
    if (this.verbose) {
      const e = candidates.get("epoch")!.value, s = candidates.get("step")!.value;
      const f5 = (x: number) => pyFormat({ value: x, isInt: false }, "0.5f");
      console.error(
        `Epoch ${e}, global step ${s}: ${pyStrRepr(this.monitor!)} reached ${f5(current)}` +
          ` (best ${f5(this.#bestModelScore)}), saving model to ${pyStrRepr(filepath)} as top ${k}`,
      );
    }
    await this.#saveCheckpoint(trainer, filepath);
    if (replaced && this.#shouldRemove(replaced, filepath)) await removePath(replaced);
  }

  async #saveLastCheckpoint(trainer: TrainerView, candidates: Candidates): Promise<void> {
    if (!this.saveLast) return;
    let filepath = this.#formatName(candidates, "last");
    if (this.enableVersionCounter) {
      for (let v = 1; (await exists(filepath)) && filepath !== this.#lastModelPath; v++) {
        filepath = this.#formatName(candidates, "last", v);
      }
    }
    const previous = this.#lastModelPath;
    this.#lastModelPath = filepath;
    if (this.saveLast === "link" && this.#lastCheckpointSaved && this.saveTopK !== 0) {
      await linkTo(this.#lastCheckpointSaved, filepath);
    } else {
      await this.#saveCheckpoint(trainer, filepath);
    }
    if (previous && this.#shouldRemove(previous, filepath)) await removePath(previous);
  }

  async #versionedPath(candidates: Candidates, replaced: string | undefined): Promise<string> {
    let filepath = this.#formatName(candidates);
    if (this.enableVersionCounter) {
      for (let v = 1; (await exists(filepath)) && filepath !== replaced; v++) {
        filepath = this.#formatName(candidates, undefined, v);
      }
    }
    return filepath;
  }

  async #saveCheckpoint(trainer: TrainerView, filepath: string): Promise<void> {
    await makeParent(filepath);
    await trainer.saveCheckpoint(filepath, { weightsOnly: this.saveWeightsOnly });
    this.#lastGlobalStepSaved = trainer.globalStep;
    this.#lastCheckpointSaved = filepath;
  }

  /** Lightning removes a replaced file only when it differs and lies in this folder. */
  #shouldRemove(previous: string, current: string): boolean {
    if (previous === current) return false;
    return this.#dirpath !== undefined && isInside(previous, this.#dirpath);
  }
}
