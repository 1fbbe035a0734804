/** Option checks for the callbacks and loggers, with messages naming the class and the option. */

function show(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : JSON.stringify(value) ?? String(value);
}

/** Throws unless `value` is an integer >= `min`. */
export function checkInt(
  owner: string,
  key: string,
  value: unknown,
  min: number,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${owner}: '${key}' must be an integer >= ${min}, got ${show(value)}`);
  }
  return value;
}

/** Throws unless `value` is a finite number. */
export function checkFinite(owner: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${owner}: '${key}' must be a finite number, got ${show(value)}`);
  }
  return value;
}

/** Throws unless `value` is true or false. */
export function checkBool(owner: string, key: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`${owner}: '${key}' must be true or false, got ${show(value)}`);
  }
  return value;
}

/** Throws unless `value` is a string (non-empty unless `allowEmpty`). */
export function checkString(
  owner: string,
  key: string,
  value: unknown,
  allowEmpty = false,
): string {
  if (typeof value !== "string" || (!allowEmpty && value === "")) {
    throw new TypeError(
      `${owner}: '${key}' must be a ${allowEmpty ? "" : "non-empty "}string, got ${show(value)}`,
    );
  }
  return value;
}

/** Throws unless `value` is "min" or "max" (Lightning's `mode`). */
export function checkMode(owner: string, value: unknown): "min" | "max" {
  if (value !== "min" && value !== "max") {
    throw new RangeError(`${owner}: 'mode' can be min, max but got ${show(value)}`);
  }
  return value;
}
