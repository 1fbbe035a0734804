/** Making the samples of one batch: the same code on the main thread and in workers. */
import type { Dataset } from "./dataset.ts";
import { withSampleRandom } from "./random.ts";

/** Loads a dataset that needs loading (files to read): its `load()`, when it has one. */
export async function loadDataset(dataset: unknown): Promise<void> {
  const load = (dataset as { load?: () => Promise<void> })?.load;
  if (typeof load === "function") await load.call(dataset);
}

/**
 * The samples at `indices`, one at a time (so each sees its own random stream), each made with
 * the stream of (seed, epoch, index).
 */
export async function makeSamples(
  dataset: Dataset,
  indices: ArrayLike<number>,
  seed: number,
  epoch: number,
): Promise<unknown[]> {
  const out: unknown[] = new Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const index = indices[k];
    out[k] = await withSampleRandom(seed, epoch, index, () => dataset.getItem(index));
  }
  return out;
}
