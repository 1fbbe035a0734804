/**
 * `args::<stage>`: the resolved keyword arguments of a stage, checked and turned into camelCase
 * options (`ckpt_path` → `ckptPath`, `min_lr` → `minLr`): the Trainer's stage methods and the
 * tuner's stages, one table of argument specs for both.
 *
 * @module
 */

import { ConfigError, type SourceLocation } from "../config/errors.ts";
import { isDict } from "../config/tree.ts";
import { closestNames } from "../util/options.ts";
import type { RunStage } from "./prune.ts";
import { show, TUNER_OPTIONS, type TunerStage } from "../tuner/_options.ts";

/** One argument a stage takes: its config name, option name and value check. */
interface ArgSpec {
  /** The name in configs (`ckpt_path`). */
  snake: string;
  /** The option name (`ckptPath`). */
  camel: string;
  /** Whether `null` is a value (else it means the default and is left out). */
  nullable?: boolean;
  /** What the value must be, for the error message; `check` says whether it is. */
  expected: string;
  check: (v: unknown) => boolean;
}

/** Where an id is in the config files (for error locations). */
type Where = (id: string) => SourceLocation | undefined;

/** Every stage whose `args::<stage>` this module reads. */
export type ArgStage = RunStage | TunerStage;

const CKPT_PATH: ArgSpec = {
  snake: "ckpt_path",
  camel: "ckptPath",
  expected: 'a checkpoint path, "best" or "last"',
  check: (v) => typeof v === "string" && v.trim() !== "",
};
const VERBOSE: ArgSpec = {
  snake: "verbose",
  camel: "verbose",
  expected: "true or false",
  check: (v) => typeof v === "boolean",
};
const RETURN_PREDICTIONS: ArgSpec = {
  snake: "return_predictions",
  camel: "returnPredictions",
  expected: "true or false",
  check: (v) => typeof v === "boolean",
};

/** The arguments each stage method takes (Lightning's `Trainer.fit/validate/test/predict`). */
export const STAGE_ARGS: Readonly<Record<RunStage, readonly ArgSpec[]>> = {
  fit: [CKPT_PATH],
  validate: [CKPT_PATH, VERBOSE],
  test: [CKPT_PATH, VERBOSE],
  predict: [CKPT_PATH, RETURN_PREDICTIONS],
};

/** The specs of every stage: the Trainer's methods, then the tuner's stages. */
const ALL_ARGS: Readonly<Record<ArgStage, readonly ArgSpec[]>> = {
  ...STAGE_ARGS,
  ...TUNER_OPTIONS,
};

/** Who takes a stage's arguments, for messages (`trainer.fit`, `Tuner.lr_find`). */
function owner(stage: ArgStage): string {
  return stage in TUNER_OPTIONS ? `Tuner.${stage}` : `trainer.${stage}`;
}

/** The options of a Trainer stage method, as built from `args::<stage>`. */
export interface StageOptions {
  /** `ckpt_path`: the checkpoint to load (`"best"`, `"last"` or a path). */
  ckptPath?: string;
  /** `verbose` (validate, test): print the metrics. */
  verbose?: boolean;
  /** `return_predictions` (predict): return the step outputs. */
  returnPredictions?: boolean;
}

/** The spec of argument `key` of `stage`; an unknown key is an error naming the valid ones. */
function specFor(
  stage: ArgStage,
  key: string,
  where: (id: string) => SourceLocation | undefined,
): ArgSpec {
  const specs = ALL_ARGS[stage];
  const spec = specs.find((s) => s.snake === key || s.camel === key);
  if (spec) return spec;
  const id = `args::${stage}::${key}`;
  const valid = specs.map((s) => s.snake);
  const near = closestNames(key, valid);
  const hint = near.length ? ` Did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "";
  throw new ConfigError(
    `Unknown argument '${key}' of the ${stage} stage (${owner(stage)}).${hint} ` +
      `Valid arguments of ${stage}: ${valid.join(", ")}`,
    { id, location: where(id) },
  );
}

/**
 * Checks the names in the raw `args::<stage>` before anything is resolved, so that a misspelt
 * argument fails before the model and the data are built. Deferred values (`@x`, `$x`) are
 * checked after resolution by {@link stageOptions}.
 */
export function checkStageArgNames(
  stage: ArgStage,
  rawArgs: unknown,
  where: (id: string) => SourceLocation | undefined,
): void {
  if (isDict(rawArgs)) { for (const key of Object.keys(rawArgs)) specFor(stage, key, where); }
}

/**
 * Turns the resolved `args::<stage>` (a mapping, or nothing) into the stage's options. Keys may
 * be snake_case (`ckpt_path`) or camelCase (`ckptPath`); `null` is left out (Lightning's `None`,
 * the default) unless the argument takes null as a value (`early_stop_threshold: null`). An
 * unknown key or a value of the wrong kind is a {@link ConfigError} at `args::<stage>::<key>`
 * that names the valid arguments.
 */
export function stageOptions(stage: RunStage, args: unknown, where: Where): StageOptions;
export function stageOptions(stage: ArgStage, args: unknown, where: Where): Record<string, unknown>;
export function stageOptions(
  stage: ArgStage,
  args: unknown,
  where: Where,
): Record<string, unknown> {
  const base = `args::${stage}`;
  if (args === undefined || args === null) return {};
  if (!isDict(args)) {
    throw new ConfigError(
      `${base} must be a mapping of ${stage} arguments, got ${
        Array.isArray(args) ? "a list" : typeof args
      }`,
      { id: base, location: where(base) },
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    const id = `${base}::${key}`;
    const spec = specFor(stage, key, where);
    if (value === undefined || (value === null && !spec.nullable)) continue;
    if (spec.camel in out) {
      throw new ConfigError(
        `${base} gives '${spec.snake}' twice (as '${spec.snake}' and '${spec.camel}')`,
        { id, location: where(id) },
      );
    }
    if (value !== null && !spec.check(value)) {
      throw new ConfigError(
        `'${spec.snake}' of the ${stage} stage must be ${spec.expected}, got ${show(value)}`,
        { id, location: where(id) },
      );
    }
    out[spec.camel] = value;
  }
  return out;
}
