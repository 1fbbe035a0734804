/** torch's snake_case names for state-dict keys. */

/** `weightDecay` → `weight_decay` (also names schedulers' state-dict keys). */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
