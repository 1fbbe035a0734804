/**
 * snake_case ↔ camelCase for option and state-dict keys: configs and torch's state dicts write
 * snake_case (`weight_decay`), lumen's options objects use camelCase (`weightDecay`). One rule for
 * the config system and the optimizers; it imports nothing, so any layer can use it.
 *
 * @module
 */

/**
 * `batch_size` → `batchSize`: each run of underscores before a letter or digit is dropped and
 * that character upper-cased (`T_max` → `TMax`, `max__lr` → `maxLr`, `lr_2` → `lr2`). Leading
 * underscores are kept (`_target_` stays), trailing ones too, and camelCase passes unchanged.
 */
export function camelCase(key: string): string {
  const m = /^(_*)(.*)$/s.exec(key)!;
  return m[1] + m[2].replace(/_+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `weightDecay` → `weight_decay`: an underscore before each capital, which is lower-cased. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
