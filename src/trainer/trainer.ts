/**
 * `Trainer`: runs a System's stages (fit, validate, test, predict) as Lightning's Trainer does:
 * its options, hooks, loop counters, logging layout and checkpoints. The step loop never waits
 * for the GPU: logged values stay on the device and are read back together, without blocking,
 * every `log_every_n_steps` and at epoch ends.
 *
 * @module
 */
import type { Metric } from "../metrics/metric.ts";
import type { LogOptions, Mode, SystemHost } from "../system/host.ts";
import { typeName } from "../system/_describe.ts";
import type { StepOutput, System } from "../system/system.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { getRandomState, type RandomState, setRandomState } from "../tensor/random_state.ts";
import { VERSION } from "../version.ts";
import { Callback, type CheckpointState } from "./callbacks/callback.ts";
import { ModelCheckpoint } from "./callbacks/model_checkpoint.ts";
import { CSVLogger } from "./loggers/csv_logger.ts";
import type { Logger } from "./loggers/logger.ts";
import { ProgressBar } from "./progress_bar.ts";
import { type MetricsRow, Results } from "./results.ts";
import {
  joinOptimizerState,
  readCheckpoint,
  splitOptimizerState,
  weightsOf,
  writeCheckpoint,
} from "./checkpoint.ts";
import { type TrainerOptions, type TrainerSettings, trainerSettings } from "./options.ts";
import type { Stage, TrainerView } from "./trainer_view.ts";
import { createPrecision, type PrecisionPlugin } from "./precision.ts";
import type { GradScalerState } from "../optim/grad_scaler.ts";
import { runFit } from "./loops/fit_loop.ts";
import { runEvaluation } from "./loops/evaluation_loop.ts";
import { runPredict } from "./loops/predict_loop.ts";
import { resolveCkptPath } from "./ckpt_path.ts";
import { formatMetricsTable } from "./results_table.ts";
import { SingleDeviceStrategy, type Strategy } from "./strategy.ts";
import { createProfiler, hookAction, type Profiler } from "./profiler.ts";

export type { TrainerOptions };

/** Options of `Trainer.fit`. */
export interface FitOptions {
  /** A checkpoint to resume from: a path, `"last"`, or null (start fresh). */
  ckptPath?: string | null;
}

/** Options of `Trainer.validate` and `Trainer.test`. */
export interface EvaluateOptions {
  /** Weights to evaluate: a path, `"best"`, `"last"`, or null (the weights in memory). */
  ckptPath?: string | null;
  /** Print the results table (the CLI prints it; default false here). */
  verbose?: boolean;
}

/** Options of `Trainer.predict`. */
export interface PredictOptions {
  /** Weights to use: a path, `"best"`, `"last"`, or null. */
  ckptPath?: string | null;
  /** Return every batch's step output (default true). */
  returnPredictions?: boolean;
}

/** Loop counters saved in checkpoints (`loops`). */
export interface LoopProgress {
  /** The epoch being run (or last run). */
  epoch: number;
  /** Training batches done in that epoch. */
  batchesDone: number;
  /** Whether that epoch's training batches are all done. */
  epochDone: boolean;
  /** Optimizer steps taken. */
  globalStep: number;
  /** Validation batches run during the fit (the step of validation step rows). */
  valBatches: number;
}

/** The names of the Callback hooks. */
export type HookName = {
  [K in keyof Callback]: Callback[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Callback];

/**
 * Runs the stages of a `System`. Built from YAML as `_target_: lumen.Trainer` with Lightning's
 * option names (`max_epochs: 3`); in TypeScript with camelCase options.
 *
 * @example
 * ```ts
 * import { Trainer } from "lumen";
 * const trainer = new Trainer({ maxEpochs: 2, logger: false, enableProgressBar: false });
 * console.log(trainer.maxEpochs); // 2
 * ```
 */
export class Trainer implements TrainerView, SystemHost {
  /** The checked settings. */
  readonly settings: TrainerSettings;
  /** The loggers (empty when `logger: false`). */
  readonly loggers: Logger[];
  /** The callbacks in the order they run (progress bar and checkpointing included). */
  readonly callbacks: Callback[];
  /** The strategy (one device per process today). */
  readonly strategy: Strategy = new SingleDeviceStrategy();
  /** Latest read-back value of every logged key. */
  callbackMetrics: Record<string, number> = {};
  /** Set by a callback to end the fit after this epoch. */
  shouldStop = false;
  /** The loop counters of the fit. */
  progress: LoopProgress = {
    epoch: 0,
    batchesDone: 0,
    epochDone: false,
    globalStep: 0,
    valBatches: 0,
  };

  #stage: Stage | null = null;
  #mode: Mode | null = null;
  #sanity = false;
  #results: Results | null = null;
  #system: System | null = null;
  #logging = true;
  /** The step outputs the running predict loop keeps for `predict()` to return. */
  #predictions: StepOutput[] | null = null;
  /** The profiler (`profiler: simple`), or one that records nothing. */
  #profiler: Profiler;
  /** Autocast and loss scaling of `precision`, made at the first stage. */
  #precision: PrecisionPlugin | null = null;

  /** Checks every option now: a typo or an unsupported value fails before any work. */
  constructor(options: TrainerOptions = {}) {
    this.settings = trainerSettings(options);
    this.#profiler = createProfiler(this.settings.profiler);
    const fast = this.settings.fastDevRun > 0;
    const logger = options.logger ?? true;
    if (fast || logger === false) this.loggers = [];
    else if (logger === true) {
      this.loggers = [new CSVLogger({ saveDir: this.settings.defaultRootDir })];
    } else this.loggers = Array.isArray(logger) ? [...logger] : [logger];
    const given = options.callbacks === undefined
      ? []
      : Array.isArray(options.callbacks)
      ? [...options.callbacks]
      : [options.callbacks];
    given.forEach((c, i) => {
      if (!(c instanceof Callback)) {
        throw new TypeError(
          `Trainer callbacks[${i}] must be a lumen.callbacks.Callback, got ${typeName(c)}`,
        );
      }
    });
    this.loggers.forEach((l, i) => {
      if (!l || typeof l.logMetrics !== "function" || typeof l.logHyperparams !== "function") {
        throw new TypeError(`Trainer logger[${i}] must be a lumen logger, got ${typeName(l)}`);
      }
    });
    const builtIn: Callback[] = [];
    if (this.settings.enableProgressBar) builtIn.push(new ProgressBar());
    const hasCheckpoint = given.some((c) => c instanceof ModelCheckpoint);
    if (this.settings.enableCheckpointing && !hasCheckpoint) builtIn.push(new ModelCheckpoint());
    if (!this.settings.enableCheckpointing && hasCheckpoint) {
      throw new Error(
        "Trainer has enable_checkpointing: false but its callbacks include a ModelCheckpoint; " +
          "remove one of them",
      );
    }
    this.callbacks = [...builtIn, ...given];
  }

  // ---- TrainerView / SystemHost ----

  /** The stage being run. */
  get stage(): Stage | null {
    return this.#stage;
  }
  /** The mode of the running loop. */
  get mode(): Mode | null {
    return this.#mode;
  }
  /** True during the sanity-check validation. */
  get sanityChecking(): boolean {
    return this.#sanity;
  }
  /** The epoch being run, from 0. */
  get currentEpoch(): number {
    return this.progress.epoch;
  }
  /** Optimizer steps so far. */
  get globalStep(): number {
    return this.progress.globalStep;
  }
  /** `max_epochs` (-1: none). */
  get maxEpochs(): number {
    return this.settings.maxEpochs;
  }
  /** `max_steps` (-1: none). */
  get maxSteps(): number {
    return this.settings.maxSteps;
  }
  /** Batches per training epoch (set when a fit starts). */
  numTrainingBatches: number = Infinity;
  /** Batches per validation run (set when a fit or validate starts). */
  numValBatches: number = 0;
  /** `log_every_n_steps`. */
  get logEveryNSteps(): number {
    return this.settings.logEveryNSteps;
  }
  /** `fast_dev_run` batches, 0 when off. */
  get fastDevRun(): number {
    return this.settings.fastDevRun;
  }
  /** The first logger's version folder. */
  get logDir(): string | undefined {
    return this.loggers[0]?.logDir;
  }
  /** `default_root_dir`. */
  get defaultRootDir(): string {
    return this.settings.defaultRootDir;
  }
  /** Whether the System records its values (always: callbacks monitor them even without loggers). */
  get loggingEnabled(): boolean {
    return this.#logging;
  }
  /** The checkpoint callbacks (the first one decides `ckpt_path: best`). */
  get checkpointCallbacks(): ModelCheckpoint[] {
    return this.callbacks.filter((c): c is ModelCheckpoint => c instanceof ModelCheckpoint);
  }

  /** Records a logged value in the running loop's results (no readback). */
  log(name: string, value: Tensor | number | Metric, options: LogOptions): void {
    if (!this.#results) throw new Error(`'${name}' was logged outside of a running loop`);
    this.#results.log(name, value, options);
  }

  /** Reads every pending logged value back now and returns `callbackMetrics`. */
  async readMetrics(): Promise<Readonly<Record<string, number>>> {
    await this.#results?.flush(true);
    return this.callbackMetrics;
  }

  /** Drops the predict step outputs kept so far (the loop frees each batch it does not keep). */
  clearPredictions(): void {
    this.#predictions?.splice(0);
  }

  /** Writes a checkpoint of the running fit (or only the weights) to `path`, atomically. */
  async saveCheckpoint(path: string, options: { weightsOnly?: boolean } = {}): Promise<void> {
    const system = this.#requireSystem();
    const tensors: Record<string, Tensor> = { ...system.stateDict() };
    const meta: Record<string, unknown> = {
      epoch: this.progress.epoch,
      global_step: this.progress.globalStep,
      lumen_version: VERSION,
      hyper_parameters: system.hyperparameters ?? null,
    };
    if (!options.weightsOnly) {
      if (system.optimizer) {
        const split = splitOptimizerState(system.optimizer.stateDict());
        Object.assign(tensors, split.tensors);
        meta.optimizer_states = [split.json];
      }
      meta.lr_schedulers = system.scheduler ? [system.scheduler.stateDict()] : [];
      // Lightning keeps the GradScaler's state under the precision plugin's class name.
      const scaler = await this.#precisionPlugin().stateDict();
      if (scaler) meta.MixedPrecision = scaler;
      meta.loops = { fit_loop: { ...this.progress } };
      meta.rng = getRandomState();
      meta.loaders = Object.fromEntries(
        Object.entries(system.dataloaders).map(([mode, loader]) => [mode, { seed: loader!.seed }]),
      );
      const callbacks: Record<string, unknown> = {};
      for (const c of this.callbacks) {
        const state = c.stateDict();
        if (Object.keys(state).length) callbacks[c.stateKey] = state;
      }
      meta.callbacks = callbacks;
      const extra: CheckpointState = {};
      await this.hook("onSaveCheckpoint", extra);
      if (Object.keys(extra).length) meta.extra = extra;
    }
    await writeCheckpoint(path, { tensors, meta });
  }

  // ---- stages ----

  /** Trains (with validation) until max_epochs/max_steps or a callback stops it. */
  async fit(system: System, options: FitOptions = {}): Promise<void> {
    checkStageOptions("fit", options, ["ckptPath"]);
    await this.#run("fit", system, async () => {
      const ckpt = await resolveCkptPath(this, "fit", options.ckptPath ?? null);
      await runFit(this.#loopHost(system), ckpt);
    });
  }

  /** Runs the validation loop once; returns the epoch values of each dataloader. */
  async validate(system: System, options: EvaluateOptions = {}): Promise<Record<string, number>[]> {
    checkStageOptions("validate", options, ["ckptPath", "verbose"]);
    return await this.#evaluate("validate", "val", system, options);
  }

  /** Runs the test loop once; returns the epoch values of each dataloader. */
  async test(system: System, options: EvaluateOptions = {}): Promise<Record<string, number>[]> {
    checkStageOptions("test", options, ["ckptPath", "verbose"]);
    return await this.#evaluate("test", "test", system, options);
  }

  /** Runs the predict loop; returns each batch's step output (unless returnPredictions is false). */
  async predict(
    system: System,
    options: PredictOptions = {},
  ): Promise<StepOutput[] | undefined> {
    checkStageOptions("predict", options, ["ckptPath", "returnPredictions"]);
    let out: StepOutput[] | undefined;
    await this.#run("predict", system, async () => {
      const ckpt = await resolveCkptPath(this, "predict", options.ckptPath ?? null);
      if (ckpt) await this.#restoreWeights(system, ckpt);
      const kept: StepOutput[] = [];
      this.#predictions = kept;
      try {
        out = await runPredict(this.#loopHost(system), options.returnPredictions ?? true, kept);
      } finally {
        this.#predictions = null;
      }
    });
    return out;
  }

  async #evaluate(
    stage: "validate" | "test",
    mode: "val" | "test",
    system: System,
    options: EvaluateOptions,
  ): Promise<Record<string, number>[]> {
    let values: Record<string, number> = {};
    await this.#run(stage, system, async () => {
      const ckpt = await resolveCkptPath(this, stage, options.ckptPath ?? null);
      if (ckpt) await this.#restoreWeights(system, ckpt);
      values = await runEvaluation(this.#loopHost(system), mode, { inFit: false });
    });
    if (options.verbose) console.log(formatMetricsTable(stage, [values]));
    return [values];
  }

  async #run(stage: Stage, system: System, body: () => Promise<void>): Promise<void> {
    if (this.#stage) throw new Error(`Trainer.${stage}() called while ${this.#stage} is running`);
    this.#stage = stage;
    this.#system = system;
    // Values are logged without loggers too: callbacks monitor them (as Lightning's self.log).
    this.#logging = true;
    this.shouldStop = false;
    system.attach(this);
    this.#profiler.setup(stage);
    let status = "success";
    try {
      await this.hook("setup", stage);
      await body();
    } catch (e) {
      status = "failed";
      await this.hook("onException", e).catch(() => {});
      throw e;
    } finally {
      try {
        await this.hook("teardown", stage);
        for (const l of this.loggers) await l.finalize(status);
        await this.#profiler.describe(this.logDir ?? this.settings.defaultRootDir);
      } finally {
        this.#stage = null;
        this.#mode = null;
        this.#results = null;
      }
    }
  }

  #requireSystem(): System {
    if (!this.#system) throw new Error("No system is attached: call fit/validate/test/predict");
    return this.#system;
  }

  /** Calls `name` on every callback, in order, awaiting each. */
  async hook(name: HookName, ...args: unknown[]): Promise<void> {
    const system = this.#requireSystem();
    const profiler = this.#profiler;
    for (const c of this.callbacks) {
      const fn = c[name] as (...a: unknown[]) => unknown;
      if (profiler.enabled) {
        const mark = profiler.start();
        await fn.call(c, this, system, ...args);
        profiler.stop(hookAction(c.stateKey, name), mark);
      } else await fn.call(c, this, system, ...args);
    }
  }

  /**
   * Calls `name` on every callback now, in order, without awaiting between them (for hooks inside
   * a synchronous step); returns a promise of them all.
   */
  hookNow(name: HookName, ...args: unknown[]): Promise<unknown> {
    const system = this.#requireSystem();
    const out: unknown[] = [];
    const profiler = this.#profiler;
    for (const c of this.callbacks) {
      const fn = c[name] as (...a: unknown[]) => unknown;
      if (profiler.enabled) {
        const mark = profiler.start();
        out.push(fn.call(c, this, system, ...args));
        profiler.stop(hookAction(c.stateKey, name), mark);
      } else out.push(fn.call(c, this, system, ...args));
    }
    return Promise.all(out);
  }

  /** Restores weights only (validate/test/predict). */
  async #restoreWeights(system: System, path: string): Promise<void> {
    const ckpt = await readCheckpoint(path);
    system.loadStateDict(weightsOf(ckpt.tensors));
    for (const t of Object.values(ckpt.tensors)) t.dispose();
  }

  /** Restores the whole fit state from `path`. */
  async restoreFit(system: System, path: string): Promise<void> {
    const ckpt = await readCheckpoint(path);
    await this.hook("onLoadCheckpoint", ckpt.meta);
    system.loadStateDict(weightsOf(ckpt.tensors));
    const meta = ckpt.meta as {
      optimizer_states?: { state: Record<string, Record<string, number>>; param_groups: [] }[];
      lr_schedulers?: Record<string, unknown>[];
      loops?: { fit_loop?: LoopProgress };
      rng?: RandomState;
      loaders?: Record<string, { seed: number }>;
      callbacks?: Record<string, Record<string, unknown>>;
      epoch?: number;
      MixedPrecision?: GradScalerState;
    };
    const loop = meta.loops?.fit_loop;
    if (!loop || !meta.optimizer_states) {
      throw new Error(
        `${path} holds weights only (saved with save_weights_only); it cannot resume a fit. ` +
          "Load it as pretrained weights instead",
      );
    }
    if (this.settings.maxEpochs !== -1 && loop.epoch > this.settings.maxEpochs) {
      throw new Error(
        `You restored a checkpoint with current_epoch=${loop.epoch}, but you have set ` +
          `Trainer(max_epochs=${this.settings.maxEpochs}).`,
      );
    }
    if (system.optimizer && meta.optimizer_states[0]) {
      system.optimizer.loadStateDict(joinOptimizerState(ckpt.tensors, meta.optimizer_states[0]));
    }
    if (system.scheduler && meta.lr_schedulers?.[0]) {
      system.scheduler.loadStateDict(meta.lr_schedulers[0]);
    }
    if (meta.MixedPrecision) this.#precisionPlugin().loadStateDict(meta.MixedPrecision);
    if (meta.rng) setRandomState(meta.rng);
    for (const [mode, state] of Object.entries(meta.loaders ?? {})) {
      const loader = system.dataloaders[mode as Mode];
      if (loader) loader.seed = state.seed;
    }
    for (const c of this.callbacks) {
      const state = meta.callbacks?.[c.stateKey];
      if (state) c.loadStateDict(state);
    }
    this.progress = { ...loop };
    for (const t of Object.values(ckpt.tensors)) t.dispose();
  }

  /** The precision plugin, made at the first stage (16-mixed checks the adapter then). */
  #precisionPlugin(): PrecisionPlugin {
    return this.#precision ??= createPrecision(this.settings.precision);
  }

  /** What the loops use of the trainer. */
  #loopHost(system: System): LoopHost {
    // deno-lint-ignore no-this-alias
    const trainer = this;
    return {
      trainer,
      system,
      settings: this.settings,
      profiler: this.#profiler,
      precision: this.#precisionPlugin(),
      setMode: (mode, sanity = false) => {
        this.#mode = mode;
        this.#sanity = sanity;
      },
      useResults: (results) => {
        this.#results = results;
      },
      newResults: () => new Results((rows) => this.#deliver(rows)),
    };
  }

  /** Gives read-back rows to the loggers and `callbackMetrics`. */
  async #deliver(rows: MetricsRow[]): Promise<void> {
    for (const row of rows) {
      Object.assign(this.callbackMetrics, row.values);
      if (this.#sanity || row.logged === false) continue;
      const values = row.epoch === undefined ? row.values : { ...row.values, epoch: row.epoch };
      for (const l of this.loggers) await l.logMetrics(values, row.step);
    }
  }
}

/** What the loops need from the trainer. */
export interface LoopHost {
  /** The trainer (its view, hooks, counters and settings). */
  trainer: Trainer;
  /** The system being run. */
  system: System;
  /** The trainer's settings. */
  settings: TrainerSettings;
  /** Times the loops' actions (records nothing unless `profiler: simple`). */
  profiler: Profiler;
  /** Runs the steps in the trainer's precision (autocast, loss scaling). */
  precision: PrecisionPlugin;
  /** Sets the mode (and whether this is the sanity check). */
  setMode(mode: Mode | null, sanity?: boolean): void;
  /** Makes `results` receive the System's `log` calls. */
  useResults(results: Results | null): void;
  /** New results whose rows go to the loggers. */
  newResults(): Results;
}

function checkStageOptions(stage: string, options: object, known: string[]): void {
  for (const key of Object.keys(options ?? {})) {
    if (!known.includes(key)) {
      throw new TypeError(
        `Trainer.${stage}() has no argument '${key}'; expected one of: ${known.join(", ")}`,
      );
    }
  }
}
