/**
 * Iterating a loader under a batch limit, optionally starting after the first `skip` batches
 * (a mid-epoch resume), and freeing each batch's device tensors once the loop is done with it.
 *
 * @module
 */
import type { DataLoader } from "../../data/loader.ts";
import { Tensor } from "../../tensor/tensor.ts";

/** Disposes every tensor inside `value` (arrays and plain objects are searched). */
export function disposeTensors(value: unknown): void {
  if (value instanceof Tensor) value.dispose();
  else if (Array.isArray(value)) value.forEach(disposeTensors);
  else if (value !== null && typeof value === "object" && value.constructor === Object) {
    Object.values(value).forEach(disposeTensors);
  }
}

/** Batches the loop will run from `loader` under `limit` (Lightning's limit rule, applied by the caller). */
export async function loaderLength(loader: DataLoader): Promise<number> {
  await loader.load();
  try {
    return loader.length;
  } catch {
    return Infinity; // An IterableDataset: no length.
  }
}

/**
 * Yields `[index, batch]` for batches `skip .. max-1` of the loader's next epoch. Skipped
 * batches are not loaded when the loader can start later (`startAt`), else they are loaded and
 * dropped.
 */
export async function* limitedBatches(
  loader: DataLoader,
  max: number,
  skip = 0,
): AsyncGenerator<[number, unknown]> {
  if (max <= skip) {
    // Still count the epoch, so the next one gets the next order.
    loader.setEpoch(loader.epoch + 1);
    return;
  }
  let index = 0;
  const starts = typeof (loader as { startAt?: unknown }).startAt === "function";
  if (starts && skip > 0) {
    (loader as unknown as { startAt(batch: number): void }).startAt(skip);
    index = skip;
  }
  for await (const batch of loader) {
    if (index < skip) {
      disposeTensors(batch);
      index++;
      continue;
    }
    yield [index, batch];
    if (++index >= max) break;
  }
}

/**
 * Lets the event loop run once (timers, finished readbacks). The step loop otherwise runs on
 * promises that are already resolved and would hold back the callbacks of earlier readbacks
 * until the epoch's end; called where a read was started, so it costs one turn per
 * `log_every_n_steps`.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
