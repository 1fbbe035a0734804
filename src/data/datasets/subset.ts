/** Views of a dataset: `Subset`, `randomSplit` and `KFold` for cross-validation. */
import type { Dataset } from "../dataset.ts";
import { checkIndex } from "../_dataset_checks.ts";
import { permutation } from "../random.ts";
import { loadDataset } from "../samples.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import { specOf } from "../_spec_of.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `Subset`. */
export interface SubsetOptions {
  /** The dataset to view. */
  dataset: Dataset;
  /** Indices into it, in the order the subset presents them. */
  indices: ArrayLike<number>;
}

/** Every option name of `SubsetOptions` (add a name here when adding an option above). */
const SUBSET_OPTIONS = ["dataset", "indices"] as const satisfies readonly (keyof SubsetOptions)[];

/**
 * The samples of `dataset` at `indices`.
 *
 * @example
 * ```ts
 * import { datasets, data } from "lumen";
 * const base = new datasets.TensorDataset({ tensors: [data.hostArray(new Float32Array([10, 11, 12]), [3])] });
 * const sub = new datasets.Subset({ dataset: base, indices: [2, 0] });
 * console.log(sub.length, await sub.getItem(0)); // 2 [{ data: Float32Array(1) [12], shape: [] }]
 * ```
 */
export class Subset implements Dataset {
  /** The underlying dataset. */
  readonly dataset: Dataset;
  #indices: Int32Array | null;
  #lazy: (() => Int32Array) | null;

  /** Keeps the dataset and indices. */
  constructor(options: SubsetOptions) {
    checkOptions("Subset", options, SUBSET_OPTIONS);
    if (!options?.dataset || !options.indices) throw new Error("Subset needs {dataset, indices}");
    this.dataset = options.dataset;
    this.#indices = Int32Array.from(options.indices);
    this.#lazy = null;
  }

  /** A subset whose indices are computed on first use, once the dataset is loaded. */
  static deferred(dataset: Dataset, compute: () => Int32Array): Subset {
    const s = new Subset({ dataset, indices: [] });
    s.#indices = null;
    s.#lazy = compute;
    return s;
  }

  /** The indices into the underlying dataset. */
  get indices(): Int32Array {
    if (!this.#indices) {
      this.#indices = this.#lazy!();
      this.#lazy = null;
    }
    return this.#indices;
  }

  /** Loads the underlying dataset. */
  async load(): Promise<void> {
    await loadDataset(this.dataset);
  }

  /** Number of samples. */
  get length(): number {
    return this.indices.length;
  }

  /** Sample `index` of the subset. */
  getItem(index: number): unknown {
    checkIndex(index, this.length, "Subset");
    return this.dataset.getItem(this.indices[index]);
  }

  /** Rebuild description for workers. */
  workerSpec(): WorkerSpec {
    return {
      $kind: "Subset",
      options: { dataset: specOf(this.dataset, "Subset.dataset"), indices: this.indices },
    };
  }
}

/** Options of `randomSplit`. */
export interface RandomSplitOptions {
  /** The dataset to split. */
  dataset: Dataset;
  /** Sizes of the parts: counts summing to the length, or fractions summing to 1. */
  lengths: number[];
  /** Seed of the permutation (default 0). */
  seed?: number;
}

/** Every option name of `RandomSplitOptions` (add a name here when adding an option above). */
const RANDOM_SPLIT_OPTIONS = [
  "dataset",
  "lengths",
  "seed",
] as const satisfies readonly (keyof RandomSplitOptions)[];

function splitSizes(n: number, lengths: number[]): number[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every((l) => l >= 0 && l <= 1) && Math.abs(total - 1) < 1e-6 && n !== 1) {
    const sizes = lengths.map((f) => Math.floor(f * n));
    // Hand the remainder out one by one, as torch does.
    for (let i = 0, rest = n - sizes.reduce((a, b) => a + b, 0); rest > 0; i++, rest--) {
      sizes[i % sizes.length]++;
    }
    return sizes;
  }
  if (!lengths.every((l) => Number.isInteger(l) && l >= 0) || total !== n) {
    throw new Error(
      `randomSplit lengths [${lengths}] must be counts summing to the dataset's ${n} samples or ` +
        `fractions summing to 1`,
    );
  }
  return lengths;
}

/**
 * Splits a dataset into non-overlapping random subsets (as `torch.utils.data.random_split`).
 *
 * @example
 * ```ts
 * import { datasets, data } from "lumen";
 * const base = new datasets.TensorDataset({ tensors: [data.hostArray(new Float32Array(10), [10])] });
 * const [train, val] = datasets.randomSplit({ dataset: base, lengths: [0.8, 0.2], seed: 0 });
 * console.log(train.length, val.length); // 8 2
 * ```
 */
export function randomSplit(options: RandomSplitOptions): Subset[] {
  checkOptions("randomSplit", options, RANDOM_SPLIT_OPTIONS);
  const { dataset, lengths } = options ?? {};
  if (!dataset || !Array.isArray(lengths)) throw new Error("randomSplit needs {dataset, lengths}");
  // Computed on first use, so that a dataset still to be loaded (MNIST) can be split in a config.
  let parts: Int32Array[] | null = null;
  const split = (): Int32Array[] => {
    if (parts) return parts;
    const perm = permutation(dataset.length, options.seed ?? 0, 0);
    let start = 0;
    parts = splitSizes(dataset.length, lengths).map((s) => perm.slice(start, start += s));
    return parts;
  };
  return lengths.map((_, i) => Subset.deferred(dataset, () => split()[i]));
}

/** Options of `KFold`. */
export interface KFoldOptions {
  /** The dataset to split. */
  dataset: Dataset;
  /** Number of folds, at least 2. */
  k: number;
  /** Which fold is held out, 0-based: 0 <= fold < k. */
  fold: number;
  /** Seed of the shuffle before splitting (default 0). */
  seed?: number;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
  /** The training part (every other fold; default) or the held-out fold (`train: false`). */
  train?: boolean;
}

/** Every option name of `KFoldOptions` (add a name here when adding an option above). */
const KFOLD_OPTIONS = [
  "dataset",
  "k",
  "fold",
  "seed",
  "shuffle",
  "train",
] as const satisfies readonly (keyof KFoldOptions)[];

/**
 * One side of fold `fold` of a k-fold split: the k - 1 training folds (`train: true`) or the
 * held-out one. Fold sizes differ by at most one; the folds of one seed are disjoint and cover
 * the dataset. Indices are computed once the dataset is loaded.
 *
 * @example
 * ```ts
 * import { datasets, data } from "lumen";
 * const base = new datasets.TensorDataset({ tensors: [data.hostArray(new Float32Array(10), [10])] });
 * const train = new datasets.KFold({ dataset: base, k: 5, fold: 3, seed: 0 });
 * const val = new datasets.KFold({ dataset: base, k: 5, fold: 3, seed: 0, train: false });
 * console.log(train.length, val.length); // 8 2
 * ```
 */
export class KFold extends Subset {
  /** Number of folds. */
  readonly k: number;
  /** The held-out fold. */
  readonly fold: number;
  /** Whether this is the training side. */
  readonly train: boolean;

  /** Checks the options; the split is made when first used. */
  constructor(options: KFoldOptions) {
    checkOptions("KFold", options, KFOLD_OPTIONS);
    const { dataset, k, fold } = options ?? {};
    if (!dataset) throw new Error("KFold needs {dataset, k, fold}");
    if (!Number.isInteger(k) || k < 2) throw new Error(`KFold k must be an integer >= 2, got ${k}`);
    if (!Number.isInteger(fold) || fold < 0 || fold >= k) {
      throw new Error(`KFold fold must be an integer in [0, ${k - 1}] (0-based), got ${fold}`);
    }
    super({ dataset, indices: [] });
    this.k = k;
    this.fold = fold;
    this.train = options.train ?? true;
    const seed = options.seed ?? 0, shuffle = options.shuffle ?? true, train = this.train;
    const lazy = Subset.deferred(dataset, () => {
      const n = dataset.length;
      if (n < k) throw new Error(`KFold with k = ${k} needs at least ${k} samples, got ${n}`);
      const order = shuffle ? permutation(n, seed, 0) : Int32Array.from({ length: n }, (_, i) => i);
      const base = Math.floor(n / k), extra = n % k;
      const start = fold * base + Math.min(fold, extra);
      const end = start + base + (fold < extra ? 1 : 0);
      if (!train) return order.slice(start, end);
      const out = new Int32Array(n - (end - start));
      out.set(order.subarray(0, start));
      out.set(order.subarray(end), start);
      return out;
    });
    this.#split = lazy;
  }

  #split: Subset;

  /** The indices into the dataset. */
  override get indices(): Int32Array {
    return this.#split.indices;
  }
}
