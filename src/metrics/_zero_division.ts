/** The `zeroDivision` option of Precision, Recall and F1Score. */
import { CLASSIFICATION_OPTIONS } from "./_classification_config.ts";
import type { ZeroDivisionOptions } from "./precision.ts";

/** The option names of Precision, Recall and F1Score. */
export const ZERO_DIVISION_OPTIONS: readonly string[] = [...CLASSIFICATION_OPTIONS, "zeroDivision"];

/** Checks `zeroDivision` (0 or 1) and returns it. */
export function zeroDivisionOf(owner: string, options: ZeroDivisionOptions): 0 | 1 {
  const z = options.zeroDivision ?? 0;
  if (z !== 0 && z !== 1) {
    throw new TypeError(`${owner} option 'zeroDivision' must be 0 or 1, got ${JSON.stringify(z)}`);
  }
  return z;
}
