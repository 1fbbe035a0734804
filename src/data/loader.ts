/**
 * `DataLoader`: batches a dataset, shuffled reproducibly, made on the main thread or in Deno
 * Workers, and uploaded to the device ahead of the step that will use it.
 *
 * @module
 */
import { Tensor } from "../tensor/tensor.ts";
import { type Dataset, IterableDataset } from "./dataset.ts";
import { isDataset } from "./_dataset_checks.ts";
import { isHostArray } from "./host_array.ts";
import { collateHost } from "./collate.ts";
import { uploadBatch } from "./upload.ts";
import { BATCH_STREAM, permutation, RandomStream } from "./random.ts";
import { loadDataset, makeSamples } from "./samples.ts";
import type { WorkerSpec } from "./worker_spec.ts";
import { specOf } from "./_spec_of.ts";
import { WorkerPool } from "./worker_pool.ts";
import type { TransformLike } from "./transforms/transform.ts";
import { applyOnDevice } from "./transforms/batched.ts";
import { checkOptions } from "../util/options.ts";
import { initialSeed } from "../tensor/random_state.ts";

/** Options of `DataLoader` (a config's `batch_size` arrives as `batchSize`). */
export interface DataLoaderOptions {
  /** A map-style dataset (`length` + `getItem`) or an `IterableDataset`. */
  dataset: Dataset | IterableDataset;
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle every epoch (default false). The order depends only on `seed` and the epoch. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Workers that decode and transform (default 0: the main thread does it). */
  numWorkers?: number;
  /** Batches made ahead of the one being used (default 2; per worker when there are workers). */
  prefetch?: number;
  /**
   * Turns a list of samples into a batch, on the main thread (default: stack on the host, in the
   * workers when there are some, then one upload per stacked array).
   */
  collate?: (samples: unknown[]) => unknown;
  /** Seed of shuffling and of random transforms (default: the global seed, `PL_GLOBAL_SEED` or 0). */
  seed?: number;
  /**
   * Transforms applied to the batch's input (element 0 of an array batch, or a tensor batch) on
   * the device after upload, batched: `ToTensor`, `Normalize`, `RandomCrop`, `CenterCrop`,
   * `RandomHorizontalFlip`, a `Compose` of those, or a function of a Tensor.
   */
  batchTransform?: TransformLike;
  /** Keep the workers between epochs (default false; then call `close()` when done). */
  persistentWorkers?: boolean;
}

/** Every option name of `DataLoaderOptions` (add a name here when adding an option above). */
const DATA_LOADER_OPTIONS = [
  "dataset",
  "batchSize",
  "shuffle",
  "dropLast",
  "numWorkers",
  "prefetch",
  "collate",
  "seed",
  "batchTransform",
  "persistentWorkers",
] as const satisfies readonly (keyof DataLoaderOptions)[];

function disposeAll(value: unknown): void {
  if (value instanceof Tensor) value.dispose();
  else if (Array.isArray(value)) value.forEach(disposeAll);
  else if (value !== null && typeof value === "object") Object.values(value).forEach(disposeAll);
}

function positiveInt(v: number, name: string, min: number): number {
  if (!Number.isInteger(v) || v < min) {
    throw new Error(`DataLoader ${name} must be an integer >= ${min}, got ${v}`);
  }
  return v;
}

/**
 * Iterates over batches of a dataset. Samples are made in order of a seeded permutation (when
 * `shuffle`), stacked and uploaded once per batch, `prefetch` batches ahead of the consumer, so
 * a training step finds its batch already on the device.
 *
 * `Batch` types what iteration yields (the default collate turns `[input, target]` samples into
 * `[Tensor, Tensor]`).
 *
 * @example
 * ```ts
 * import { data, datasets, type Tensor, tensor } from "lumen";
 * const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
 * const y = tensor(new Int32Array([0, 1, 1, 0]));
 * const dataset = new datasets.TensorDataset({ tensors: [x, y] });
 * const loader = new data.DataLoader<[Tensor, Tensor]>({ dataset, batchSize: 2, shuffle: true, seed: 1 });
 * for await (const [xb, yb] of loader) {
 *   console.log(xb.shape, yb.dtype); // [2, 2] int32
 * }
 * ```
 */
export class DataLoader<Batch = unknown> implements AsyncIterable<Batch> {
  /** The dataset. */
  readonly dataset: Dataset | IterableDataset;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether each epoch is shuffled. */
  readonly shuffle: boolean;
  /** Whether a short last batch is dropped. */
  readonly dropLast: boolean;
  /** Number of workers. */
  readonly numWorkers: number;
  /** Batches made ahead (per worker). */
  readonly prefetch: number;
  /** Seed of shuffling and random transforms. */
  seed: number; // Not readonly: a resumed fit restores the seed its checkpoint recorded.
  /** Device-side batch transform. */
  readonly batchTransform?: TransformLike;
  /** Whether workers outlive an epoch. */
  readonly persistentWorkers: boolean;
  #collate?: (samples: unknown[]) => unknown;
  #epoch = 0;
  #start = 0;
  #pool: WorkerPool | null = null;

  /** Checks the options; nothing is read until iteration starts. */
  constructor(options: DataLoaderOptions) {
    checkOptions("DataLoader", options, DATA_LOADER_OPTIONS);
    if (!options || !(isDataset(options.dataset) || options.dataset instanceof IterableDataset)) {
      throw new Error(
        "DataLoader needs {dataset}: an object with length and getItem(index), or an IterableDataset",
      );
    }
    this.dataset = options.dataset;
    this.batchSize = positiveInt(options.batchSize ?? 1, "batchSize", 1);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.numWorkers = positiveInt(options.numWorkers ?? 0, "numWorkers", 0);
    this.prefetch = positiveInt(options.prefetch ?? 2, "prefetch", 1);
    this.seed = (options.seed ?? initialSeed()) >>> 0;
    this.batchTransform = options.batchTransform;
    this.persistentWorkers = options.persistentWorkers ?? false;
    this.#collate = options.collate;
    if (this.dataset instanceof IterableDataset) {
      if (this.shuffle) {
        throw new Error("DataLoader cannot shuffle an IterableDataset (it has no random access)");
      }
      if (this.numWorkers > 0) {
        throw new Error(
          "DataLoader numWorkers > 0 needs a map-style dataset, not an IterableDataset",
        );
      }
    }
  }

  /** The `collate` function given to the constructor, if any (to build a loader like this one). */
  get collate(): ((samples: unknown[]) => unknown) | undefined {
    return this.#collate;
  }

  /** Batches per epoch (the dataset must be loaded: after iteration started, or `await load()`). */
  get length(): number {
    if (this.dataset instanceof IterableDataset) {
      throw new Error("An IterableDataset has no length, so neither has its DataLoader");
    }
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The epoch the next iteration uses (it counts up after each iteration). */
  get epoch(): number {
    return this.#epoch;
  }

  /** Sets the epoch of the next iteration (its shuffle and augmentations), as on resume. */
  setEpoch(epoch: number): void {
    this.#epoch = positiveInt(epoch, "epoch", 0);
  }

  /**
   * Makes the next iteration start at batch `batch` of its epoch, without loading the batches
   * before it (a mid-epoch resume).
   */
  startAt(batch: number): void {
    this.#start = positiveInt(batch, "start batch", 0);
  }

  /** Reads the dataset's files (when it has a `load()`), so that `length` is known. */
  async load(): Promise<void> {
    await loadDataset(this.dataset);
  }

  /** The sample indices of each batch of `epoch`. */
  batchIndices(epoch: number): Int32Array[] {
    const n = (this.dataset as Dataset).length;
    const order = this.shuffle
      ? permutation(n, this.seed, epoch)
      : Int32Array.from({ length: n }, (_, i) => i);
    const out: Int32Array[] = [];
    for (let start = 0; start < n; start += this.batchSize) {
      const end = Math.min(start + this.batchSize, n);
      if (end - start < this.batchSize && this.dropLast) break;
      out.push(order.subarray(start, end));
    }
    return out;
  }

  /** Stops persistent workers. */
  close(): void {
    this.#pool?.terminate();
    this.#pool = null;
  }

  /** The batches of the next epoch, prefetched onto the device. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const epoch = this.#epoch++;
    if (this.dataset instanceof IterableDataset) {
      for await (const b of this.#stream(this.dataset, epoch)) yield b as Batch;
      return;
    }
    const dataset = this.dataset;
    await loadDataset(dataset);
    const batches = this.batchIndices(epoch).slice(this.#start);
    this.#start = 0;
    const pool = this.numWorkers > 0 ? await this.#workers() : null;
    let mainThread: Promise<unknown> = Promise.resolve();
    const produce = (b: number): Promise<unknown> => {
      const indices = batches[b];
      let host: Promise<unknown>;
      if (pool) {
        host = pool.batch(b, indices, this.seed, epoch, !this.#collate);
      } else {
        // One batch at a time on this thread, so samples' random streams never interleave.
        host = mainThread.then(async () => {
          const samples = await makeSamples(dataset, indices, this.seed, epoch);
          return this.#collate ? samples : collateHost(samples);
        });
        mainThread = host.catch(() => {});
      }
      const batch = host.then((h) => this.#finish(h, indices, epoch));
      batch.catch(() => {}); // Failures surface when the batch is awaited, not as unhandled.
      return batch;
    };
    const depth = this.prefetch * Math.max(1, this.numWorkers);
    const queue: Promise<unknown>[] = [];
    let next = 0;
    try {
      while (next < batches.length && queue.length < depth) queue.push(produce(next++));
      while (queue.length) {
        const batch = await queue.shift()!;
        if (next < batches.length) queue.push(produce(next++));
        yield batch as Batch;
      }
    } finally {
      for (const p of queue) p.then(disposeAll, () => {});
      if (pool && !this.persistentWorkers) {
        pool.terminate();
        this.#pool = null;
      }
    }
  }

  async #workers(): Promise<WorkerPool> {
    if (this.#pool) return this.#pool;
    const spec = specOf(this.dataset, "DataLoader dataset") as WorkerSpec;
    if (!spec || typeof spec !== "object" || !("$kind" in spec)) {
      throw new Error("DataLoader numWorkers > 0 needs a dataset with a workerSpec() method");
    }
    this.#pool = await WorkerPool.start(spec, this.numWorkers);
    return this.#pool;
  }

  /** Host batch (or raw samples with a custom collate) to the batch the consumer gets. */
  #finish(host: unknown, indices: ArrayLike<number>, epoch: number): unknown {
    if (this.#collate) return this.#collate(host as unknown[]);
    const input = Array.isArray(host) ? host[0] : host;
    const channelsLast = isHostArray(input) && input.data instanceof Uint8Array;
    const batch = uploadBatch(host);
    if (!this.batchTransform) return batch;
    const streams = Array.from(indices, (i) => new RandomStream(this.seed, epoch, i, BATCH_STREAM));
    const target = Array.isArray(batch) ? batch[0] : batch;
    if (!(target instanceof Tensor)) {
      throw new Error(
        "DataLoader batchTransform needs a batch whose input (element 0) is a Tensor",
      );
    }
    const out =
      applyOnDevice(this.batchTransform, { tensor: target, channelsLast }, streams).tensor;
    if (out !== target) target.dispose();
    if (Array.isArray(batch)) {
      batch[0] = out;
      return batch;
    }
    return out;
  }

  async *#stream(dataset: IterableDataset, epoch: number): AsyncGenerator<unknown> {
    let samples: unknown[] = [];
    let seen = 0;
    const indices = () => Int32Array.from(samples, (_, k) => seen - samples.length + k);
    for await (const sample of dataset.stream()) {
      samples.push(sample);
      seen++;
      if (samples.length === this.batchSize) {
        const batch = this.#finish(
          this.#collate ? samples : collateHost(samples),
          indices(),
          epoch,
        );
        samples = [];
        yield batch as Batch;
      }
    }
    if (samples.length && !this.dropLast) {
      yield this.#finish(this.#collate ? samples : collateHost(samples), indices(), epoch);
    }
  }
}
