/**
 * `args::lr_find` and `args::scale_batch_size` of a config: checked and turned into the tuner's
 * camelCase options (`min_lr` → `minLr`), with errors at `args::<stage>::<key>` and its
 * file.yaml:LINE.
 *
 * @module
 */
import { ConfigError, type SourceLocation } from "../config/errors.ts";
import { isDict } from "../config/tree.ts";
import { didYouMean, type OptionSpec, show, TUNER_OPTIONS, type TunerStage } from "./_options.ts";

type Where = (id: string) => SourceLocation | undefined;

function specFor(stage: TunerStage, key: string, where: Where): OptionSpec {
  const specs = TUNER_OPTIONS[stage];
  const found = specs.find((s) => s.snake === key || s.camel === key);
  if (found) return found;
  const id = `args::${stage}::${key}`;
  const valid = specs.map((s) => s.snake);
  throw new ConfigError(
    `Unknown argument '${key}' of the ${stage} stage (Tuner.${stage}).${
      didYouMean(key, valid)
    } Valid arguments of ${stage}: ${valid.join(", ")}`,
    { id, location: where(id) },
  );
}

/**
 * Checks the names in the raw `args::<stage>` before anything is resolved, so that a misspelt
 * argument fails before the model and the data are built.
 */
export function checkTunerArgNames(stage: TunerStage, rawArgs: unknown, where: Where): void {
  if (isDict(rawArgs)) { for (const key of Object.keys(rawArgs)) specFor(stage, key, where); }
}

/**
 * The resolved `args::<stage>` (a mapping or nothing) as the tuner's options. Keys may be
 * snake_case or camelCase; `null` means the default, except where null is a value
 * (`early_stop_threshold`, `max_memory_bytes`). A wrong key or value is a {@link ConfigError}.
 */
export function tunerStageOptions(
  stage: TunerStage,
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
    const s = specFor(stage, key, where);
    if (value === undefined || (value === null && !s.nullable)) continue;
    if (s.camel in out) {
      throw new ConfigError(`${base} gives '${s.snake}' twice (as '${s.snake}' and '${s.camel}')`, {
        id,
        location: where(id),
      });
    }
    if (value !== null && !s.check(value)) {
      throw new ConfigError(
        `'${s.snake}' of the ${stage} stage must be ${s.expected}, got ${show(value)}`,
        { id, location: where(id) },
      );
    }
    out[s.camel] = value;
  }
  return out;
}
