/** Checks on datasets shared by the loader and the built-in datasets. */
import type { Dataset } from "./dataset.ts";

/** Whether `value` is a map-style dataset. */
export function isDataset(value: unknown): value is Dataset {
  // `length` is only looked for, not read: datasets that load files throw until loaded.
  return value !== null && typeof value === "object" && "length" in value &&
    typeof (value as Dataset).getItem === "function";
}

/** Checks an index against a length, with a message naming both. */
export function checkIndex(index: number, length: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${what} has ${length} samples; index ${index} is out of range`);
  }
}
