/**
 * `EarlyStopping`: Lightning 2.6's callback that stops a fit when a monitored value stops
 * improving, reaches a threshold, diverges or stops being finite.
 *
 * @module
 */
import type { StepOutput, System } from "../../system/system.ts";
import type { TrainerView } from "../trainer_view.ts";
import { Callback } from "./callback.ts";
import { checkBool, checkFinite, checkInt, checkMode, checkString } from "./checks.ts";
import { pyFloatRepr, pyFormat, pyStr, pyStrRepr } from "./python_compat.ts";
import { ValCadence } from "./val_cadence.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of {@link EarlyStopping} (Lightning's arguments in camelCase). */
export interface EarlyStoppingOptions {
  /** The logged key to watch, e.g. `val/loss/epoch` (required). */
  monitor: string;
  /** `min` (default): lower is better; `max`: higher is better. */
  mode?: "min" | "max";
  /** Checks without improvement before stopping (default 3). */
  patience?: number;
  /** An improvement must exceed this much (default 0). */
  minDelta?: number;
  /** A missing key is an error (default true); false skips the check. */
  strict?: boolean;
  /** Stop when the value is NaN or infinite (default true). */
  checkFinite?: boolean;
  /** Stop as soon as the value is better than this. */
  stoppingThreshold?: number | null;
  /** Stop as soon as the value is worse than this. */
  divergenceThreshold?: number | null;
  /** Print each decision. */
  verbose?: boolean;
  /** Check at the end of the training epoch (true) or of validation (false); unset: Lightning's rule. */
  checkOnTrainEpochEnd?: boolean | null;
}

const OPTION_NAMES = [
  "monitor",
  "mode",
  "patience",
  "minDelta",
  "strict",
  "checkFinite",
  "stoppingThreshold",
  "divergenceThreshold",
  "verbose",
  "checkOnTrainEpochEnd",
] as const satisfies readonly (keyof EarlyStoppingOptions)[];

const OWNER = "EarlyStopping";

/** Why the fit was stopped (Lightning's `EarlyStoppingReason`, whose values these are). */
export enum EarlyStoppingReason {
  /** Not stopped. */
  NOT_STOPPED = 0,
  /** `stoppingThreshold` was reached. */
  STOPPING_THRESHOLD = 1,
  /** `divergenceThreshold` was passed. */
  DIVERGENCE_THRESHOLD = 2,
  /** `patience` checks without improvement. */
  PATIENCE_EXHAUSTED = 3,
  /** The value was NaN or infinite. */
  NON_FINITE_METRIC = 4,
}

/** torch compares a float32 tensor with a Python float in float32. */
const f32 = Math.fround;

/** `str(tensor(x))` of a 0-d float32 tensor, as torch prints it in Lightning's messages. */
function torchScalar(x: number): string {
  const f = (spec: string) => pyFormat({ value: x, isInt: false }, spec);
  let text: string;
  if (!Number.isFinite(x)) text = pyFloatRepr(x);
  else if (Number.isInteger(x)) text = Math.abs(x) > 1e8 ? f(".4e") : `${f(".0f")}.`;
  else text = Math.abs(x) > 1e8 || Math.abs(x) < 1e-4 ? f(".4e") : f(".4f");
  return `tensor(${text})`;
}

/** A threshold as Python prints the number the config gave (an int when it is whole). */
function threshold(x: number): string {
  return pyStr({ value: x, isInt: Number.isInteger(x) });
}

function scoreToJson(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

function scoreFromJson(x: unknown): number {
  return typeof x === "number" ? x : Number(x);
}

/**
 * Stops the fit (sets `trainer.shouldStop`) when `monitor` has not improved by more than
 * `minDelta` for `patience` checks, reaches `stoppingThreshold`, passes `divergenceThreshold`,
 * or is not finite. It checks after each training epoch (after its validation), or after each
 * validation when validation runs several times an epoch or not every epoch, as Lightning does.
 * Skipped in the sanity check, outside fit and with `fast_dev_run`.
 *
 * @example
 * ```ts
 * import { callbacks } from "lumen";
 * const stop = new callbacks.EarlyStopping({ monitor: "val/loss/epoch", patience: 5 });
 * console.log(stop.stateKey); // EarlyStopping{'monitor': 'val/loss/epoch', 'mode': 'min'}
 * console.log(stop.bestScore); // Infinity
 * ```
 */
export class EarlyStopping extends Callback {
  /** The watched key. */
  readonly monitor: string;
  /** `min` or `max`. */
  readonly mode: "min" | "max";
  /** The signed minimum change: negative in `min` mode, positive in `max` mode (as Lightning stores it). */
  readonly minDelta: number;
  /** Whether a missing key is an error. */
  readonly strict: boolean;
  /** Whether a value that is not finite stops the fit. */
  readonly checkFinite: boolean;
  /** Stop once the value is better than this. */
  readonly stoppingThreshold: number | undefined;
  /** Stop once the value is worse than this. */
  readonly divergenceThreshold: number | undefined;
  /** Whether decisions are printed. */
  readonly verbose: boolean;
  /** Checks without improvement allowed (restored from checkpoints). */
  patience: number;
  /** Checks in a row without improvement. */
  waitCount = 0;
  /** The epoch at which the fit was stopped (0 if not stopped). */
  stoppedEpoch = 0;
  /** The best value so far (±Infinity before the first check). */
  bestScore: number;
  /** Why the fit was stopped. */
  stoppingReason: EarlyStoppingReason = EarlyStoppingReason.NOT_STOPPED;
  /** The message explaining the stop, or undefined. */
  stoppingReasonMessage: string | undefined;

  #checkOnTrainEpochEnd: boolean | undefined;
  #cadence = new ValCadence();

  /** Checks the options (a monitor key is required; `mode` is min or max). */
  constructor(options: EarlyStoppingOptions) {
    super();
    checkOptions(OWNER, options, OPTION_NAMES);
    if (options === undefined || options === null || options.monitor === undefined) {
      throw new TypeError(`${OWNER}: option 'monitor' is required (e.g. 'val/loss/epoch')`);
    }
    this.monitor = checkString(OWNER, "monitor", options.monitor);
    this.mode = checkMode(OWNER, options.mode ?? "min");
    this.patience = checkInt(OWNER, "patience", options.patience ?? 3, 0);
    const minDelta = checkFinite(OWNER, "minDelta", options.minDelta ?? 0);
    this.minDelta = this.mode === "max" ? minDelta : -minDelta;
    this.strict = checkBool(OWNER, "strict", options.strict ?? true);
    this.checkFinite = checkBool(OWNER, "checkFinite", options.checkFinite ?? true);
    const st = options.stoppingThreshold, dt = options.divergenceThreshold;
    this.stoppingThreshold = st === undefined || st === null
      ? undefined
      : checkFinite(OWNER, "stoppingThreshold", st);
    this.divergenceThreshold = dt === undefined || dt === null
      ? undefined
      : checkFinite(OWNER, "divergenceThreshold", dt);
    this.verbose = checkBool(OWNER, "verbose", options.verbose ?? false);
    const c = options.checkOnTrainEpochEnd;
    this.#checkOnTrainEpochEnd = c === undefined || c === null
      ? undefined
      : checkBool(OWNER, "checkOnTrainEpochEnd", c);
    this.bestScore = this.mode === "min" ? Infinity : -Infinity;
  }

  /** Lightning's state key: the class name, monitor and mode. */
  override get stateKey(): string {
    return `EarlyStopping{'monitor': ${pyStrRepr(this.monitor)}, 'mode': '${this.mode}'}`;
  }

  /** Lightning's state under its names (a best score that is not finite as a string). */
  override stateDict(): Record<string, unknown> {
    return {
      wait_count: this.waitCount,
      stopped_epoch: this.stoppedEpoch,
      best_score: scoreToJson(this.bestScore),
      patience: this.patience,
      stopping_reason: this.stoppingReason,
      stopping_reason_message: this.stoppingReasonMessage ?? null,
    };
  }

  /** Restores `stateDict()`'s output. */
  override loadStateDict(state: Record<string, unknown>): void {
    this.waitCount = Number(state.wait_count);
    this.stoppedEpoch = Number(state.stopped_epoch);
    this.bestScore = scoreFromJson(state.best_score);
    this.patience = Number(state.patience);
    this.stoppingReason = (state.stopping_reason as EarlyStoppingReason | undefined) ??
      EarlyStoppingReason.NOT_STOPPED;
    const message = state.stopping_reason_message;
    this.stoppingReasonMessage = typeof message === "string" ? message : undefined;
  }

  /** Resets the per-epoch bookkeeping. */
  override onTrainEpochStart(_trainer: TrainerView, _system: System): void {
    this.#cadence.epochStart();
  }

  /** Tracks where the epoch is. */
  override onTrainBatchEnd(
    _trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    batchIdx: number,
  ): void {
    this.#cadence.batchEnd(batchIdx);
  }

  /** Checks here when validation runs several times an epoch or not every epoch. */
  override onValidationEnd(trainer: TrainerView, _system: System): void {
    this.#cadence.validationEnd(trainer);
    if (this.#atTrainEpochEnd() || this.#skip(trainer)) return;
    this.#check(trainer);
  }

  /** Checks at the end of the training epoch (after its validation): Lightning's default. */
  override onTrainEpochEnd(trainer: TrainerView, _system: System): void {
    this.#cadence.trainEpochEnd(trainer);
    if (!this.#atTrainEpochEnd() || this.#skip(trainer)) return;
    this.#check(trainer);
  }

  #atTrainEpochEnd(): boolean {
    return this.#checkOnTrainEpochEnd ?? this.#cadence.actsAtTrainEpochEnd();
  }

  #skip(trainer: TrainerView): boolean {
    return trainer.stage !== "fit" || trainer.sanityChecking;
  }

  #check(trainer: TrainerView): void {
    const logs = trainer.callbackMetrics;
    if (trainer.fastDevRun > 0) return;
    const current = logs[this.monitor];
    if (current === undefined) {
      const message = `Early stopping conditioned on metric \`${this.monitor}\` which is not` +
        " available. Pass in or modify your `EarlyStopping` callback to use any of the" +
        ` following: \`${Object.keys(logs).join("`, `")}\``;
      if (this.strict) throw new Error(message);
      if (this.verbose) console.warn(`RuntimeWarning: ${message}`);
      return;
    }
    const [shouldStop, reason] = this.#evaluate(current);
    trainer.shouldStop = trainer.shouldStop || shouldStop;
    if (shouldStop) {
      this.stoppedEpoch = trainer.currentEpoch;
      this.stoppingReasonMessage = reason;
    }
    if (reason && this.verbose) console.error(reason);
  }

  #better(a: number, b: number): boolean {
    return this.mode === "min" ? f32(a) < f32(b) : f32(a) > f32(b);
  }

  #evaluate(current: number): [boolean, string | undefined] {
    const order = this.mode === "min" ? "<" : ">";
    const f3 = (x: number) => pyFormat({ value: x, isInt: false }, ".3f");
    const shown = torchScalar(current);
    if (this.checkFinite && !Number.isFinite(current)) {
      this.stoppingReason = EarlyStoppingReason.NON_FINITE_METRIC;
      return [
        true,
        `Monitored metric ${this.monitor} = ${shown} is not finite.` +
        ` Previous best value was ${f3(this.bestScore)}. Signaling Trainer to stop.`,
      ];
    }
    if (this.stoppingThreshold !== undefined && this.#better(current, this.stoppingThreshold)) {
      this.stoppingReason = EarlyStoppingReason.STOPPING_THRESHOLD;
      return [
        true,
        `Stopping threshold reached: ${this.monitor} = ${shown} ${order} ` +
        `${threshold(this.stoppingThreshold)}. Signaling Trainer to stop.`,
      ];
    }
    if (
      this.divergenceThreshold !== undefined && this.#better(-current, -this.divergenceThreshold)
    ) {
      this.stoppingReason = EarlyStoppingReason.DIVERGENCE_THRESHOLD;
      return [
        true,
        `Divergence threshold reached: ${this.monitor} = ${shown} ${order} ` +
        `${threshold(this.divergenceThreshold)}. Signaling Trainer to stop.`,
      ];
    }
    // current - min_delta is a float32 subtraction in Lightning (a tensor minus a Python float).
    if (this.#better(f32(f32(current) - f32(this.minDelta)), this.bestScore)) {
      const message = Number.isFinite(this.bestScore)
        ? `Metric ${this.monitor} improved by ${f3(Math.abs(f32(this.bestScore - current)))} >=` +
          ` min_delta = ${pyFloatRepr(Math.abs(this.minDelta))}. New best score: ${f3(current)}`
        : `Metric ${this.monitor} improved. New best score: ${f3(current)}`;
      this.bestScore = current;
      this.waitCount = 0;
      return [false, message];
    }
    this.waitCount++;
    if (this.waitCount >= this.patience) {
      this.stoppingReason = EarlyStoppingReason.PATIENCE_EXHAUSTED;
      return [
        true,
        `Monitored metric ${this.monitor} did not improve in the last ${this.waitCount} records.` +
        ` Best score: ${f3(this.bestScore)}. Signaling Trainer to stop.`,
      ];
    }
    return [false, undefined];
  }
}
