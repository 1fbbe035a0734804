/**
 * `run()`: Lighter's Runner. Seed, load and validate the config, prune it for the stage, resolve
 * all of it, check the system and the trainer, record the hyperparameters, call the stage.
 *
 * @module
 */

import { Config, type ConfigSource } from "../config/config.ts";
import { formatWhere } from "../config/errors.ts";
import { preprocess } from "../config/preprocess.ts";
import { STAGES } from "../config/schema.ts";
import { type Dict, isDict, locate } from "../config/tree.ts";
import { closestNames } from "../util/options.ts";
import { ready } from "../device/default_device.ts";
import { describeValue } from "./describe.ts";
import { pruneForStage, RUN_STAGES, type RunStage } from "./prune.ts";
import { seedEverything } from "./seed.ts";
import { settleExpressions } from "./settle.ts";
import { checkStageArgNames, type StageOptions, stageOptions } from "./stage_args.ts";
import type { System } from "../system/system.ts";
import type { Trainer } from "../trainer/trainer.ts";
import { TUNER_STAGES, type TunerStage } from "../tuner/_options.ts";
import { lrFind, type LrFindOptions, type LrFindResult } from "../tuner/lr_find.ts";
import {
  scaleBatchSize,
  type ScaleBatchSizeOptions,
  type ScaleBatchSizeResult,
} from "../tuner/scale_batch_size.ts";
import {
  type RunnerClasses,
  runnerClasses,
  type StageSystem,
  type StageTrainer,
} from "./classes.ts";

/**
 * Options of {@link run}.
 *
 * @example
 * ```ts
 * import type { RunOptions } from "lumen";
 * const options: RunOptions = { seed: 42, scope: { my: { Net: class {} } } };
 * console.log(options.seed); // 42
 * ```
 */
export interface RunOptions {
  /**
   * The global seed (see `seedEverything`); by default the environment variable
   * `PL_GLOBAL_SEED`, else `LUMEN_SEED`, else 0.
   */
  seed?: number;
  /**
   * Names added to the scope of `_target_` and `$expressions`, beside `lumen` and `project`
   * (see `LoadOptions.scope`).
   */
  scope?: Record<string, unknown>;
}

/** A stage `run()` executes: a Trainer stage or a tuner stage. */
type AnyStage = RunStage | TunerStage;

function isTunerStage(stage: AnyStage): stage is TunerStage {
  return (TUNER_STAGES as readonly string[]).includes(stage);
}

/** Throws for a stage `run()` cannot execute; returns the stage otherwise. */
function checkStage(stage: string): AnyStage {
  if ((RUN_STAGES as readonly string[]).includes(stage)) return stage as RunStage;
  if ((TUNER_STAGES as readonly string[]).includes(stage)) return stage as TunerStage;
  if (STAGES.includes(stage)) {
    throw new Error(
      `\`${stage}\` is not available yet in lumen; the stages that run are ${
        [...RUN_STAGES, ...TUNER_STAGES].join(", ")
      }`,
    );
  }
  const near = closestNames(stage, STAGES);
  const hint = near.length ? ` Did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "";
  throw new Error(`Unknown stage '${stage}'.${hint} Stages: ${STAGES.join(", ")}`);
}

/** `file.yaml:LINE @ id: ` for an id that came from a file, else nothing. */
function where(config: Config, id: string): string {
  const location = locate(config.get(), id);
  return location ? `${formatWhere(id, location)}: ` : "";
}

function checkClass<T>(
  config: Config,
  resolved: Dict,
  key: "system" | "trainer",
  cls: (abstract new (...args: never[]) => unknown) | undefined,
  name: string,
): T {
  const value = resolved[key];
  if (cls !== undefined && value instanceof cls) return value as T;
  const hint = isDict(value) ? ` (did you forget '_target_: lumen.${name}'?)` : "";
  throw new TypeError(
    `${where(config, key)}${key} must be ${name}, got ${describeValue(value)}${hint}`,
  );
}

/**
 * Prunes `config` for a tuner stage as Lighter's Tuner stages did: what fit keeps (the train
 * and val dataloaders and metrics, optimizer, scheduler and criterion), and `args::<stage>`.
 */
function pruneForTuner(config: Config, stage: TunerStage): void {
  for (const mode of ["test", "predict"]) {
    config.delete(`system::dataloaders::${mode}`);
    config.delete(`system::metrics::${mode}`);
  }
  const args = config.get("args");
  if (isDict(args)) {
    for (const key of Object.keys(args)) if (key !== stage) config.delete(`args::${key}`);
  }
}

/**
 * Loads the config for `stage` and returns it pruned, with raw references (`%id`) expanded
 * first so that a copy of a pruned key (`val: "%::train"`) survives.
 */
async function loadForStage(
  stage: AnyStage,
  source: ConfigSource,
  overrides: readonly string[],
  options: RunOptions,
): Promise<Config> {
  const config = await Config.load(source, overrides, {
    legacy: true,
    validate: true,
    scope: options.scope,
  });
  config.set("", preprocess(config.get() as Dict));
  if (isTunerStage(stage)) pruneForTuner(config, stage);
  else pruneForStage(config, stage);
  return config;
}

/** What {@link runStage} gives back: the stage's result and the arguments it was called with. */
export interface StageRun {
  /** What `trainer.<stage>()` (or the tuner, for `lr_find` and `scale_batch_size`) returned. */
  result: unknown;
  /** The camelCase arguments built from `args::<stage>` (empty for the tuner stages). */
  args: StageOptions;
  /** The tuner's camelCase options built from `args::lr_find` or `args::scale_batch_size`. */
  tunerArgs?: LrFindOptions | ScaleBatchSizeOptions;
}

/**
 * Removes `system::model::compile` (the seeds' compile mode, `system::model::compile=true`)
 * before resolving, so that any model class resolves without it; `execute` then calls the built
 * model's `compile()` when it is true. Returns the removed value (undefined when there was none).
 */
function takeCompileFlag(config: Config): boolean | undefined {
  const model = config.get("system::model");
  if (!isDict(model) || !("compile" in model)) return undefined;
  const value = model.compile;
  if (typeof value !== "boolean") {
    throw new TypeError(
      `${where(config, "system::model::compile")}system::model::compile must be true or ` +
        `false, got ${describeValue(value)}`,
    );
  }
  config.delete("system::model::compile");
  return value;
}

async function execute(
  stage: AnyStage,
  config: Config,
  classes: RunnerClasses,
): Promise<StageRun> {
  const at = (id: string) => locate(config.get(), id);
  checkStageArgNames(stage, config.get(`args::${stage}`), at);
  // Everything is resolved before the first step: a missing reference or an unknown target fails
  // now, with its file.yaml:LINE @ id, not an epoch later.
  const compile = takeCompileFlag(config);
  // Resolving builds the model and the data: acquire the GPU first (a missing adapter fails here,
  // before anything is built, with the NoAdapterError that says what to install).
  await ready();
  const resolved = config.resolve("") as Dict;
  await settleExpressions(config);
  const system = checkClass<StageSystem>(config, resolved, "system", classes.System, "System");
  const trainer = checkClass<StageTrainer>(
    config,
    resolved,
    "trainer",
    classes.Trainer,
    "Trainer",
  );
  // Compile mode: the model's forward runs with its elementwise chains fused (Module.compile()).
  const model = (system as { model?: { compile?: () => unknown } }).model;
  if (compile === true && typeof model?.compile === "function") model.compile();
  const args = isDict(resolved.args) ? resolved.args[stage] : undefined;
  const tunerArgs = isTunerStage(stage) ? stageOptions(stage, args, at) : undefined;
  const stageArgs: StageOptions = isTunerStage(stage) ? {} : stageOptions(stage, args, at);
  const raw = structuredClone(config.get()) as Record<string, unknown>;
  // The hyperparameters are the config as written, the compile flag included.
  if (compile !== undefined) ((raw.system as Dict).model as Dict).compile = compile;
  system.saveHyperparameters(raw);
  for (const logger of trainer.loggers ?? []) await logger.logHyperparams(raw);
  if (isTunerStage(stage)) {
    // The runner's checks above compared with the config's `lumen.System` and `lumen.Trainer`.
    const [s, t] = [system as unknown as System, trainer as unknown as Trainer];
    const result = stage === "lr_find"
      ? await lrFind(t, s, tunerArgs as LrFindOptions)
      : await scaleBatchSize(t, s, tunerArgs as ScaleBatchSizeOptions);
    return { result, args: stageArgs, tunerArgs };
  }
  return { result: await trainer[stage](system, stageArgs), args: stageArgs };
}

/**
 * Runs a stage of an experiment, as `lighter <stage> config.yaml [overrides]` (Lighter's Runner):
 *
 * 1. seeds everything (`options.seed`, else `PL_GLOBAL_SEED`, else `LUMEN_SEED`, else 0);
 * 2. loads `config` (`a.yaml,b.yaml`, a list of paths or an object), applies `overrides`
 *    (`key::path=value`, or the older `--a#b=value`) and validates it against the schema;
 * 3. prunes it for the stage: fit keeps the train and val dataloaders and metrics; validate keeps
 *    val and drops the optimizer and scheduler; test and predict keep their mode and drop the
 *    optimizer, scheduler and criterion; only `args::<stage>` is kept; adapters are kept;
 * 4. acquires the GPU (`ready()`: a missing adapter fails here), then resolves all of it, so
 *    that a missing reference or target fails before the first step with its
 *    `file.yaml:LINE @ id`; `system` must be a `System` and `trainer` a `Trainer`
 *    (`TypeError` otherwise); `system::model::compile` (the compile mode, true or false) is taken
 *    out first, and when true the built model's `compile()` is called (its forward then runs
 *    with elementwise chains fused);
 * 5. saves the raw config as the system's hyperparameters and logs it to every logger;
 * 6. calls `trainer.<stage>(system, args)` with `args::<stage>` in camelCase (`ckpt_path` →
 *    `ckptPath`; an unknown argument is an error naming the valid ones) and returns its result:
 *    nothing for fit, one record of metrics per dataloader for validate and test, the step
 *    outputs (or undefined) for predict.
 *
 * `lr_find` and `scale_batch_size` (Lighter's former Tuner stages) prune as fit does, take
 * `args::lr_find` / `args::scale_batch_size` (Lightning's `Tuner` arguments in snake_case), and
 * call `tuner.lrFind` / `tuner.scaleBatchSize` with the system and the trainer; they return its
 * result (null under `fast_dev_run`).
 *
 * @example
 * ```ts
 * import { run } from "lumen";
 * try {
 *   await run("fit", { trainer: {}, system: { model: {} } });
 * } catch (e) {
 *   console.log((e as Error).message); // system must be System, got a mapping without '_target_' (did you forget '_target_: lumen.System'?)
 * }
 * ```
 */
export function run(
  stage: "fit",
  config: ConfigSource,
  overrides?: readonly string[],
  options?: RunOptions,
): Promise<void>;
/** Runs `validate` or `test`: one record of metrics per dataloader. */
export function run(
  stage: "validate" | "test",
  config: ConfigSource,
  overrides?: readonly string[],
  options?: RunOptions,
): Promise<Record<string, number>[]>;
/** Runs `predict`: the step outputs, or undefined with `return_predictions: false`. */
export function run(
  stage: "predict",
  config: ConfigSource,
  overrides?: readonly string[],
  options?: RunOptions,
): Promise<unknown[] | undefined>;
/** Runs `lr_find`: the learning rates, losses and suggestion (null under fast_dev_run). */
export function run(
  stage: "lr_find",
  config: ConfigSource,
  overrides?: readonly string[],
  options?: RunOptions,
): Promise<LrFindResult | null>;
/** Runs `scale_batch_size`: the batch size found and the trials (null under fast_dev_run). */
export function run(
  stage: "scale_batch_size",
  config: ConfigSource,
  overrides?: readonly string[],
  options?: RunOptions,
): Promise<ScaleBatchSizeResult | null>;
/** Runs a stage named by a string (from a command line). */
export function run(
  stage: string,
  config: ConfigSource,
  overrides?: readonly string[],
  options?: RunOptions,
): Promise<unknown>;
export async function run(
  stage: string,
  config: ConfigSource,
  overrides: readonly string[] = [],
  options: RunOptions = {},
): Promise<unknown> {
  return (await runStage(stage, config, overrides, options)).result;
}

/** {@link run}, also returning the stage arguments (the CLI prints the table unless `verbose`). */
export async function runStage(
  stage: string,
  config: ConfigSource,
  overrides: readonly string[] = [],
  options: RunOptions = {},
): Promise<StageRun> {
  const s = checkStage(stage);
  seedEverything(options.seed);
  const loaded = await loadForStage(s, config, overrides, options);
  return await execute(s, loaded, runnerClasses(loaded));
}

/** For tests and the CLI: load and prune for `stage` without running anything. */
export function loadPruned(
  stage: RunStage | TunerStage,
  config: ConfigSource,
  overrides: readonly string[] = [],
  options: RunOptions = {},
): Promise<Config> {
  return loadForStage(checkStage(stage), config, overrides, options);
}
