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
 * import { data, type Tensor } from "lumen";
 * class Counter extends data.IterableDataset<number> {
 *   override async *stream(): AsyncGenerator<number> {
 *     for (let i = 0; i < 5; i++) yield i;
 *   }
 * }
 * const loader = new data.DataLoader<Tensor>({ dataset: new Counter(), batchSize: 2 });
 * for await (const batch of loader) console.log(await batch.data());
 * // Int32Array(2) [0, 1]
 * // Int32Array(2) [2, 3]
 * // Int32Array(1) [4]
 * ```
 */
export abstract class IterableDataset<T = unknown> {
  /** The samples, in order; called once per epoch. */
  abstract stream(): Iterable<T> | AsyncIterable<T>;
}
