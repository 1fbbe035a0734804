/** Range checks shared by the optimizers and schedulers, with messages naming the option. */

/** Throws unless `value` is a finite number >= 0 (or within [min, max) when given). */
export function checkNumber(
  owner: string,
  key: string,
  value: unknown,
  range: { min?: number; below?: number; max?: number } = {},
): number {
  const min = range.min ?? 0;
  const ok = typeof value === "number" && Number.isFinite(value) && value >= min &&
    (range.below === undefined || value < range.below) &&
    (range.max === undefined || value <= range.max);
  if (!ok) {
    const upper = range.below !== undefined
      ? ` and < ${range.below}`
      : range.max !== undefined
      ? ` and <= ${range.max}`
      : "";
    throw new RangeError(
      `${owner}: '${key}' must be a number >= ${min}${upper}, got ${JSON.stringify(value)}`,
    );
  }
  return value as number;
}

/** Throws unless `value` is a positive integer. */
export function checkPositiveInt(owner: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(
      `${owner}: '${key}' must be a positive integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Throws unless `value` is a boolean. */
export function checkBoolean(owner: string, key: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`${owner}: '${key}' must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}
