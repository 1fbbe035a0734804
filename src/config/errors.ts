/**
 * The `ConfigError` family: every error the config system raises.
 *
 * An error about a value that came from a file starts with `file.yaml:LINE @ id: `, so that
 * the message alone says where to look.
 *
 * @module
 */

/**
 * Where a config value was written: a YAML file and a 1-based line, or a CLI override.
 *
 * @example
 * ```ts
 * import { ConfigError, type SourceLocation } from "lumen";
 * const location: SourceLocation = { file: "base.yaml", line: 3 };
 * console.log(new ConfigError("Bad value", { id: "a::b", location }).message);
 * // base.yaml:3 @ a::b: Bad value
 * ```
 */
export interface SourceLocation {
  /** The file path as the user gave it, or `override 'k=v'` for a CLI override. */
  file: string;
  /** 1-based line in `file`; 0 when there is no line (an override). */
  line: number;
}

/**
 * Optional context for a {@link ConfigError}.
 *
 * @example
 * ```ts
 * import { ConfigError, type ConfigErrorOptions } from "lumen";
 * const options: ConfigErrorOptions = { id: "trainer", cause: new Error("inner") };
 * console.log(new ConfigError("Something failed", options).message); // trainer: Something failed
 * ```
 */
export interface ConfigErrorOptions {
  /** The id (`a::b::0`) of the value the error is about. */
  id?: string;
  /** Where that value was written. */
  location?: SourceLocation;
  /** The underlying error. */
  cause?: unknown;
}

/** Formats `file.yaml:LINE @ id`, `file.yaml @ id` or `id`, for the start of a message. */
export function formatWhere(id: string | undefined, location?: SourceLocation): string {
  const shown = id === undefined ? undefined : id === "" ? "<root>" : id;
  if (location) {
    const at = location.line > 0 ? `${location.file}:${location.line}` : location.file;
    return shown === undefined ? at : `${at} @ ${shown}`;
  }
  return shown ?? "";
}

/**
 * The base class of every config error.
 *
 * @example
 * ```ts
 * import { Config, ConfigError } from "lumen";
 * try {
 *   (await Config.load({ a: "@b" })).resolve("a");
 * } catch (e) {
 *   if (e instanceof ConfigError) console.log(e.name, e.detail);
 *   // ConfigKeyError Reference '@b' not found.
 * }
 * ```
 */
export class ConfigError extends Error {
  /** The id of the value the error is about, when known. */
  readonly id?: string;
  /** Where that value was written, when known. */
  readonly location?: SourceLocation;
  /** The message without the `file:LINE @ id: ` prefix. */
  readonly detail: string;

  /** Builds the error; the message gets the `file:LINE @ id: ` prefix when those are known. */
  constructor(detail: string, options: ConfigErrorOptions = {}) {
    const where = formatWhere(options.id, options.location);
    super(where ? `${where}: ${detail}` : detail, { cause: options.cause });
    // Each subclass is named after its class, so `e.name` says which kind of config error it is.
    this.name = new.target.name;
    this.id = options.id;
    this.location = options.location;
    this.detail = detail;
  }
}

/**
 * An id that is not in the config: a missing reference (`@nope`) or a missing requested id.
 * The message lists the closest existing ids.
 *
 * @example
 * ```ts
 * import { Config, ConfigKeyError } from "lumen";
 * const config = await Config.load({ value: 1, ref: "@vlue" });
 * try { config.resolve("ref"); } catch (e) { console.log(e instanceof ConfigKeyError); } // true
 * ```
 */
export class ConfigKeyError extends ConfigError {}

/**
 * A malformed reference, or a relative reference (`@::::x`) that climbs above the root.
 *
 * @example
 * ```ts
 * import { Config, ConfigReferenceError } from "lumen";
 * const config = await Config.load({ a: "@::::x" });
 * try { config.resolve(); } catch (e) { console.log(e instanceof ConfigReferenceError); } // true
 * ```
 */
export class ConfigReferenceError extends ConfigError {}

/**
 * A reference cycle (`a: "@b"`, `b: "@a"`) or a raw-reference (`%`) cycle; the message shows the
 * chain.
 *
 * @example
 * ```ts
 * import { CircularReferenceError, Config } from "lumen";
 * const config = await Config.load({ a: "@b", b: "@a" });
 * try { config.resolve("a"); } catch (e) { console.log(e instanceof CircularReferenceError); }
 * // true
 * ```
 */
export class CircularReferenceError extends ConfigError {
  /** The ids in the cycle, first to last (the last one repeats an earlier one). */
  readonly chain: string[];
  /** See {@link ConfigError}; `chain` lists the ids of the cycle. */
  constructor(detail: string, chain: string[], options: ConfigErrorOptions = {}) {
    super(detail, options);
    this.chain = chain;
  }
}

/**
 * A `$expression` that does not compile or that throws; the message has the expression text and
 * the JavaScript error.
 *
 * @example
 * ```ts
 * import { Config, EvaluationError } from "lumen";
 * const config = await Config.load({ x: "$null.length" });
 * try { config.resolve("x"); } catch (e) { console.log(e instanceof EvaluationError); } // true
 * ```
 */
export class EvaluationError extends ConfigError {}

/**
 * A `_target_` name that is not in the `lumen` or `project` namespace; the message lists the
 * closest names.
 *
 * @example
 * ```ts
 * import { Config, TargetNotFoundError } from "lumen";
 * const config = await Config.load({ m: { _target_: "lumen.nn.Lineer" } });
 * try { config.resolve("m"); } catch (e) { console.log(e instanceof TargetNotFoundError); } // true
 * ```
 */
export class TargetNotFoundError extends ConfigError {}

/**
 * A component whose constructor or function threw, or whose reserved keys are misused; the
 * message names the target and the kwargs, and `cause` holds the original error.
 *
 * @example
 * ```ts
 * import { Config, InstantiationError } from "lumen";
 * const config = await Config.load({ d: { _target_: "x.Date", _mode_: "lazy" } }, [], {
 *   scope: { x: { Date } },
 * });
 * try { config.resolve("d"); } catch (e) { console.log(e instanceof InstantiationError); } // true
 * ```
 */
export class InstantiationError extends ConfigError {}

/**
 * A misused merge operator (`~key` with a bad value, an index out of range, ...) or a path key
 * that walks through a scalar.
 *
 * @example
 * ```ts
 * import { Config, ConfigMergeError } from "lumen";
 * try { await Config.load({ a: [1], "~a": [] }); } catch (e) { console.log(e instanceof ConfigMergeError); }
 * // true
 * ```
 */
export class ConfigMergeError extends ConfigError {}

/**
 * A YAML syntax error (with the file and line), or a file whose top level is not a mapping.
 *
 * @example
 * ```ts
 * import { ConfigYamlError, parseConfigYaml } from "lumen";
 * try { parseConfigYaml("a: [1", "bad.yaml"); } catch (e) { console.log(e instanceof ConfigYamlError); }
 * // true
 * ```
 */
export class ConfigYamlError extends ConfigError {}

/**
 * A missing config file, a file that is not `.yaml`/`.yml`, or a missing `project` directory or
 * `mod.ts`.
 *
 * @example
 * ```ts
 * import { Config, ConfigFileError } from "lumen";
 * try { await Config.load("nope.yaml"); } catch (e) { console.log(e instanceof ConfigFileError); }
 * // true
 * ```
 */
export class ConfigFileError extends ConfigError {}

/**
 * A CLI override that is not `key::path=value`, or that cannot be applied (a path through a
 * scalar, a list index out of range).
 *
 * @example
 * ```ts
 * import { OverrideError, parseOverride } from "lumen";
 * try { parseOverride("trainer::max_epochs"); } catch (e) { console.log(e instanceof OverrideError); }
 * // true
 * ```
 */
export class OverrideError extends ConfigError {}

/**
 * A config that does not fit the runner's schema: a missing `trainer`/`system`, an unknown key
 * (named, with the allowed ones), or a value of the wrong kind.
 *
 * @example
 * ```ts
 * import { Config, ConfigValidationError } from "lumen";
 * const config = await Config.load({ trainer: {} });
 * try { config.validate(); } catch (e) { console.log(e instanceof ConfigValidationError); } // true
 * ```
 */
export class ConfigValidationError extends ConfigError {}
