/** `TensorDataset`: row i of each of several arrays. */
import { type HostArray, isHostArray } from "../host_array.ts";
import { checkIndex } from "../_dataset_checks.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import { checkOptions } from "../../util/options.ts";

/** What a device tensor offers here (kept structural so this module imports no GPU code). */
interface TensorLike {
  readonly shape: readonly number[];
  readonly dtype: "float32" | "int32";
  data(): Promise<Float32Array | Int32Array>;
}

/** Options of `TensorDataset`. */
export interface TensorDatasetOptions {
  /** Tensors or host arrays with the same first dim; sample i is row i of each. */
  tensors: (TensorLike | HostArray)[];
}

/** Every option name of `TensorDatasetOptions` (add a name here when adding an option above). */
const TENSOR_DATASET_OPTIONS = [
  "tensors",
] as const satisfies readonly (keyof TensorDatasetOptions)[];

/**
 * Wraps tensors (or host arrays) sharing their first dim: sample `i` is the list of row `i` of
 * each. A row of a 1-D int32 array is a number (collated to int32 labels); other rows are host
 * arrays. Device tensors are copied to the host once, at `load()` (the loader calls it).
 *
 * @example
 * ```ts
 * import { datasets, tensor } from "lumen";
 * const ds = new datasets.TensorDataset({ tensors: [tensor([[1, 2], [3, 4]]), tensor(new Int32Array([0, 1]))] });
 * await ds.load();
 * console.log(ds.length, ds.getItem(1)); // 2 [{ data: Float32Array(2) [3, 4], shape: [2] }, 1]
 * ```
 */
export class TensorDataset {
  /** The source arrays as given. */
  readonly tensors: readonly (TensorLike | HostArray)[];
  readonly #length: number;
  #host: HostArray[] | null = null;

  /** Checks that every array has the same first dim. */
  constructor(options: TensorDatasetOptions) {
    checkOptions("TensorDataset", options, TENSOR_DATASET_OPTIONS);
    const tensors = options?.tensors;
    if (!Array.isArray(tensors) || tensors.length === 0) {
      throw new Error("TensorDataset needs {tensors: [...]}, at least one tensor");
    }
    tensors.forEach((t, i) => {
      if (!t || !Array.isArray(t.shape) || t.shape.length === 0) {
        throw new Error(
          `TensorDataset: tensors[${i}] must be a tensor or host array of at least 1 dim`,
        );
      }
      if (t.shape[0] !== tensors[0].shape[0]) {
        throw new Error(
          `TensorDataset: tensors[${i}] has ${t.shape[0]} rows but tensors[0] has ${
            tensors[0].shape[0]
          }`,
        );
      }
    });
    this.tensors = [...tensors];
    this.#length = tensors[0].shape[0];
    if (tensors.every(isHostArray)) this.#host = tensors as HostArray[];
  }

  /** Number of rows. */
  get length(): number {
    return this.#length;
  }

  /** Copies device tensors to the host (once). */
  async load(): Promise<void> {
    if (this.#host) return;
    this.#host = await Promise.all(
      this.tensors.map(async (t) =>
        isHostArray(t) ? t : { data: await t.data(), shape: [...t.shape] }
      ),
    );
  }

  /** Row `index` of each array. */
  getItem(index: number): unknown[] | Promise<unknown[]> {
    if (!this.#host) return this.load().then(() => this.getItem(index));
    checkIndex(index, this.#length, "TensorDataset");
    return this.#host.map((a) => {
      const row = a.shape.slice(1);
      const size = row.reduce((x, y) => x * y, 1);
      if (row.length === 0 && a.data instanceof Int32Array) return a.data[index];
      return { data: a.data.slice(index * size, (index + 1) * size), shape: row };
    });
  }

  /** Rebuild description for workers (after `load()`: the host copies travel). */
  workerSpec(): WorkerSpec {
    if (!this.#host) throw new Error("TensorDataset: call load() before sending it to workers");
    return { $kind: "TensorDataset", options: { tensors: this.#host } };
  }
}
