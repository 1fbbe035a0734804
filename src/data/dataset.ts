/**
 * What a dataset is: anything with a `length` and a `getItem(index)`, or a stream.
 *
 * @module
 */

/**
 * A map-style dataset: `length` samples, each made by `getItem` (synchronously or not). A
 * supervised sample is `[input, target]`, as Lighter's default batch accessors 0 and 1 expect.
 * Samples should hold host values (numbers, typed arrays, host arrays, nested arrays/objects of
 * those, `null`); the loader stacks a batch on the host and uploads it once.
 */
export interface Dataset<T = unknown> {
  /** Number of samples. */
  readonly length: number;
  /** Sample `index`, 0 <= index < length. */
  getItem(index: number): T | Promise<T>;
}

/**
 * A stream of samples with no random access (records read from a socket, a generator). The
 * loader batches it in order; it cannot be shuffled or split across workers.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * class Counter extends data.IterableDataset<number> {
 *   override async *stream(): AsyncGenerator<number> {
 *     for (let i = 0; i < 5; i++) yield i;
 *   }
 * }
 * const loader = new data.DataLoader({ dataset: new Counter(), batchSize: 2 });
 * for await (const batch of loader) console.log(batch);
 * ```
 */
export abstract class IterableDataset<T = unknown> {
  /** The samples, in order; called once per epoch. */
  abstract stream(): Iterable<T> | AsyncIterable<T>;
}

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
