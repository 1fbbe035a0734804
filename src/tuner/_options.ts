/**
 * The options of the two tuner stages: their names (snake_case for configs, camelCase for
 * TypeScript), checks, defaults (Lightning 2.6's `Tuner.lr_find` / `Tuner.scale_batch_size`) and
 * the messages of a wrong one.
 *
 * @module
 */
import { closestNames } from "../util/options.ts";

/** A tuner stage. */
export type TunerStage = "lr_find" | "scale_batch_size";

/** The tuner stages, in the CLI's order. */
export const TUNER_STAGES: readonly TunerStage[] = ["lr_find", "scale_batch_size"];

/** One option: its config name, TypeScript name, whether null is a value, and its check. */
export interface OptionSpec {
  /** The name in configs (`min_lr`). */
  snake: string;
  /** The TypeScript name (`minLr`). */
  camel: string;
  /** Whether `null` is a value (`early_stop_threshold: null` turns early stopping off). */
  nullable: boolean;
  /** What the value must be, for the error message. */
  expected: string;
  /** Whether `v` is a valid value. */
  check: (v: unknown) => boolean;
}

const positive = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v > 0;
const intAtLeast = (min: number) => (v: unknown): boolean =>
  typeof v === "number" && Number.isInteger(v) && v >= min;
const oneOf = (...values: string[]) => (v: unknown): boolean =>
  typeof v === "string" && values.includes(v);
const bool = (v: unknown): boolean => typeof v === "boolean";

/** The options of each stage (Lightning's arguments that mean something here). */
export const TUNER_OPTIONS: Readonly<Record<TunerStage, readonly OptionSpec[]>> = {
  lr_find: [
    spec("min_lr", "minLr", "a number > 0", positive),
    spec("max_lr", "maxLr", "a number > 0", positive),
    spec("num_training", "numTraining", "an integer >= 1", intAtLeast(1)),
    spec("mode", "mode", "'exponential' or 'linear'", oneOf("exponential", "linear")),
    spec("early_stop_threshold", "earlyStopThreshold", "a number > 0 or null", positive, true),
    spec("update_attr", "updateAttr", "true or false", bool),
  ],
  scale_batch_size: [
    spec("mode", "mode", "'power' or 'binsearch'", oneOf("power", "binsearch")),
    spec("steps_per_trial", "stepsPerTrial", "an integer >= 1", intAtLeast(1)),
    spec("init_val", "initVal", "an integer >= 1", intAtLeast(1)),
    spec("max_trials", "maxTrials", "an integer >= 1", intAtLeast(1)),
    spec(
      "batch_arg_name",
      "batchArgName",
      "'batch_size' (the train DataLoader's batch_size)",
      oneOf("batch_size", "batchSize"),
    ),
    spec(
      "margin",
      "margin",
      "a number in [0, 1)",
      (v) => typeof v === "number" && v >= 0 && v < 1,
    ),
    spec("max_val", "maxVal", "an integer >= 1", intAtLeast(1)),
    spec("max_memory_bytes", "maxMemoryBytes", "a number > 0 or null", positive, true),
  ],
};

function spec(
  snake: string,
  camel: string,
  expected: string,
  check: (v: unknown) => boolean,
  nullable = false,
): OptionSpec {
  return { snake, camel, expected, check, nullable };
}

/** `x` as a message shows it: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** ` Did you mean 'a' or 'b'?` for the names of `known` close to `name`, or nothing. */
export function didYouMean(name: string, known: readonly string[]): string {
  const near = closestNames(name, known);
  return near.length ? ` Did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "";
}

/**
 * Checks TypeScript options of `stage` (camelCase names): an unknown name is a TypeError naming
 * the closest valid ones, a wrong value a RangeError saying what it must be. Returns the options
 * that were given, `undefined` left out.
 */
export function checkTunerOptions(
  stage: TunerStage,
  options: object | undefined,
): Record<string, unknown> {
  const specs = TUNER_OPTIONS[stage];
  const names = specs.map((s) => s.camel);
  const out: Record<string, unknown> = {};
  if (options === undefined || options === null) return out;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${stage} options must be an object, got ${show(options)}`);
  }
  for (const [key, value] of Object.entries(options)) {
    const s = specs.find((x) => x.camel === key);
    if (!s) {
      throw new TypeError(
        `${stage} has no option '${key}'.${didYouMean(key, names)} Valid options: ${
          names.join(", ")
        }`,
      );
    }
    if (value === undefined) continue;
    if (value === null ? !s.nullable : !s.check(value)) {
      throw new RangeError(`${stage} option '${key}' must be ${s.expected}, got ${show(value)}`);
    }
    out[key] = value;
  }
  return out;
}
