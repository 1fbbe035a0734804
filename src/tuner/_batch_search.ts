/**
 * Lightning 2.6's batch-size search (`_run_power_scaling`, `_run_binsearch_scaling` and
 * `_adjust_batch_size` of `tuner/batch_size_scaling.py`), over a trial that says whether a size
 * fits: the same sizes are tried in the same order and the same one is returned.
 *
 * One departure: a size at or above the dataset's length is not grown, as in Lightning, but it
 * may shrink. Lightning keeps it unchanged in every direction, so from such a size (a configured
 * batch size as large as the dataset) it ignores `init_val`, and a binsearch whose trial runs
 * out of memory there never ends.
 *
 * @module
 */

/** What {@link searchBatchSize} needs. */
export interface SearchOptions {
  /** `"power"`: double until a size does not fit; `"binsearch"`: then bisect. */
  mode: "power" | "binsearch";
  /** The first size tried. */
  initVal: number;
  /** Trials at most (sizes that fit, in binsearch). */
  maxTrials: number;
  /** Binsearch only: the result is reduced by this fraction (Lightning's default 0.05). */
  margin: number;
  /** The largest size tried. */
  maxVal: number;
  /** The batch size before the search (Lightning's batch-size attribute). */
  current: number;
  /** Samples in the dataset, when it has a length: a size this large is not doubled. */
  datasetLength?: number;
  /** Runs a trial: true when `size` fits, false when it is out of memory. */
  trial(size: number): Promise<boolean>;
  /** Lightning's info lines (`Batch size 8 succeeded, trying batch size 16`). */
  info(line: string): void;
}

/** Searches as Lightning does and returns the batch size found. */
export async function searchBatchSize(o: SearchOptions): Promise<number> {
  let size = o.current;
  /** `_adjust_batch_size`: the next size and whether it changed. */
  const adjust = (factor: number, value: number | null, desc: string | null): [number, boolean] => {
    const old = size;
    let next = value ?? Math.trunc(old * factor);
    if (next > old && o.datasetLength !== undefined && old >= o.datasetLength) {
      o.info(
        `The batch size ${old} is greater or equal than the length of your dataset: ` +
          `${o.datasetLength}.`,
      );
      return [old, false];
    }
    if (next > o.maxVal) {
      if (desc) {
        o.info(`Batch size ${next} exceeds max_val limit ${o.maxVal}, capping at ${o.maxVal}`);
      }
      next = o.maxVal;
    }
    if (desc) o.info(`Batch size ${old} ${desc}, trying batch size ${next}`);
    size = next;
    return [next, next !== old];
  };
  const reachedMax = (n: number): boolean => {
    if (n < o.maxVal) return false;
    o.info(`Reached the maximum batch size limit of ${o.maxVal}. Stopping search.`);
    return true;
  };

  let next = adjust(1, o.initVal, null)[0];
  if (o.mode === "power") {
    let anySuccess = false;
    for (let i = 0; i < o.maxTrials; i++) {
      if (reachedMax(next)) break;
      if (await o.trial(next)) {
        if (i + 1 >= o.maxTrials) break; // The last trial: keep the size that fitted.
        const [n, changed] = adjust(2, null, "succeeded");
        next = n;
        if (!changed) break;
        anySuccess = true;
      } else {
        next = adjust(0.5, null, "failed")[0];
        if (anySuccess) break;
      }
    }
    return next;
  }

  let low = 1;
  let high: number | null = null;
  let count = 0;
  for (;;) {
    if (reachedMax(next)) break;
    if (await o.trial(next)) {
      count++;
      if (count >= o.maxTrials) break;
      low = next;
      let changed: boolean;
      if (high) {
        if (high - low <= 1) break;
        [next, changed] = adjust(1, Math.floor((high + low) / 2), "succeeded");
      } else [next, changed] = adjust(2, null, "succeeded");
      if (!changed) break;
    } else {
      high = next;
      next = adjust(1, Math.floor((high + low) / 2), "failed")[0];
      if (high - low <= 1) break;
    }
  }
  if (o.margin > 0) {
    const reduced = Math.max(1, Math.trunc(next * (1 - o.margin)));
    if (reduced !== next) {
      o.info(
        `Applying margin of ${(o.margin * 100).toFixed(1)}%, reducing batch size from ${next} ` +
          `to ${reduced}`,
      );
      next = reduced;
    }
  }
  return next;
}
