/**
 * lumen's config system: Lighter's YAML config language (Sparkwheel), file composition, CLI
 * overrides, instantiation of `_target_` components and the runner's schema.
 *
 * @example
 * ```ts
 * import { Config } from "lumen";
 * const config = await Config.load("examples/config/base.yaml,examples/config/finetune.yaml", [
 *   "system::optimizer::lr=0.001",
 * ]);
 * const optimizer = config.resolve("system::optimizer");
 * ```
 *
 * @module
 */

export { Config, type ConfigSource, type LoadOptions } from "./config.ts";
export {
  CircularReferenceError,
  ConfigError,
  type ConfigErrorOptions,
  ConfigFileError,
  ConfigKeyError,
  ConfigMergeError,
  ConfigReferenceError,
  ConfigValidationError,
  ConfigYamlError,
  EvaluationError,
  InstantiationError,
  OverrideError,
  type SourceLocation,
  TargetNotFoundError,
} from "./errors.ts";
export { type Override, parseOverride, typeOverrideValue } from "./overrides.ts";
export { parseConfigYaml } from "./yaml_load.ts";
export { STAGES } from "./schema.ts";
