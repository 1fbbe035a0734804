/**
 * `scaleBatchSize`: Lightning's batch-size finder (`Tuner.scale_batch_size`). The train
 * DataLoader is rebuilt with growing batch sizes, a few training steps run with each, until one
 * runs out of device memory; the model and the optimizer are put back as they were.
 *
 * @module
 */
import { DataLoader } from "../data/loader.ts";
import { IterableDataset } from "../data/dataset.ts";
import type { System } from "../system/system.ts";
import { Trainer } from "../trainer/trainer.ts";
import { searchBatchSize } from "./_batch_search.ts";
import { writeRunFile } from "./_files.ts";
import { deviceBytes, emptyCache, isOutOfMemory } from "./_memory.ts";
import { checkTunerOptions } from "./_options.ts";
import { restoreState, saveState } from "./_state.ts";
import { runSteps } from "./_steps.ts";

/** Options of {@link scaleBatchSize} (Lightning 2.6's `Tuner.scale_batch_size` in camelCase). */
export interface ScaleBatchSizeOptions {
  /** `"power"` (default): double until out of memory; `"binsearch"`: then bisect. */
  mode?: "power" | "binsearch";
  /** Training steps per batch size tried (default 3). */
  stepsPerTrial?: number;
  /** The first batch size tried (default 2). */
  initVal?: number;
  /** Trials at most (default 25). */
  maxTrials?: number;
  /** The DataLoader option scaled: `"batch_size"` (the default and the only one). */
  batchArgName?: "batch_size" | "batchSize";
  /** Binsearch only: reduce the size found by this fraction, a safety margin (default 0.05). */
  margin?: number;
  /** The largest batch size tried (default 8192). */
  maxVal?: number;
  /**
   * Also out of memory: a trial after which the device holds more than this many bytes (live
   * and pooled, `memory().liveBytes + memory().pooledBytes`); default null, no limit.
   */
  maxMemoryBytes?: number | null;
}

/** One batch size tried. */
export interface BatchSizeTrial {
  /** The batch size. */
  batchSize: number;
  /** Whether its steps ran within memory. */
  fits: boolean;
  /** Bytes the device held after the trial (live and pooled). */
  bytes: number;
  /** Why it did not fit. */
  error?: string;
}

/** What {@link scaleBatchSize} found and wrote. */
export interface ScaleBatchSizeResult {
  /** The batch size found; the system's train DataLoader now uses it. */
  batchSize: number;
  /** The sizes tried, in order. */
  trials: BatchSizeTrial[];
  /** The JSON file written (`scale_batch_size.json`). */
  path: string;
}

const DEFAULTS: Required<ScaleBatchSizeOptions> = {
  mode: "power",
  stepsPerTrial: 3,
  initVal: 2,
  maxTrials: 25,
  batchArgName: "batch_size",
  margin: 0.05,
  maxVal: 8192,
  maxMemoryBytes: null,
};

/** A DataLoader with `loader`'s options and another batch size. */
function withBatchSize(loader: DataLoader, batchSize: number): DataLoader {
  return new DataLoader({
    dataset: loader.dataset,
    batchSize,
    shuffle: loader.shuffle,
    dropLast: loader.dropLast,
    numWorkers: loader.numWorkers,
    prefetch: loader.prefetch,
    seed: loader.seed,
    persistentWorkers: loader.persistentWorkers,
    ...(loader.collate ? { collate: loader.collate } : {}),
    ...(loader.batchTransform ? { batchTransform: loader.batchTransform } : {}),
  });
}

/**
 * Finds the largest train batch size that fits in device memory, as Lightning 2.6's
 * `Tuner.scale_batch_size`: starting at `initVal`, each trial rebuilds the train DataLoader with
 * the size and runs `stepsPerTrial` training steps (no validation, loggers or checkpoints);
 * `"power"` doubles the size until a trial runs out of memory and returns the last size that
 * fitted; `"binsearch"` then bisects between the two and takes `margin` off. Out of memory is a
 * WebGPU out-of-memory error, a buffer over the adapter's largest binding
 * (`deviceInfo().maxBindingBytes`), or more than `maxMemoryBytes` held after the trial. The
 * buffer pool is emptied before each trial.
 *
 * Afterwards the model, the optimizer, the scheduler and the random generator are restored
 * exactly, and the system's train DataLoader is one with the size found (Lightning leaves the
 * found size in the model's batch-size attribute). Writes `scale_batch_size.json` to the run
 * folder and prints the result. Returns null, as Lightning, under `fast_dev_run`.
 *
 * @example
 * ```ts
 * import { data, datasets, nn, optim, System, tensor, Trainer, tuner } from "lumen";
 * const x = tensor(Array.from({ length: 64 }, (_, i) => [i / 64, 1 - i / 64]));
 * const y = tensor(new Int32Array(Array.from({ length: 64 }, (_, i) => i % 2)));
 * const dataset = new datasets.TensorDataset({ tensors: [x, y] });
 * const model = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
 * const system = new System({
 *   model,
 *   criterion: new nn.CrossEntropyLoss(),
 *   optimizer: new optim.SGD({ params: model.parameters(), lr: 0.1 }),
 *   dataloaders: { train: new data.DataLoader({ dataset, batchSize: 4 }) },
 * });
 * const trainer = new Trainer({ logger: false, defaultRootDir: await Deno.makeTempDir() });
 * const found = await tuner.scaleBatchSize(trainer, system, { stepsPerTrial: 1 });
 * // Nothing runs out of memory: doubling stops at the dataset's 64 samples.
 * console.log(found!.trials.map((t) => t.batchSize)); // [2, 4, 8, 16, 32, 64]
 * console.log(found!.batchSize, system.dataloaders.train!.batchSize); // 64 64
 * ```
 */
export async function scaleBatchSize(
  trainer: Trainer,
  system: System,
  options: ScaleBatchSizeOptions = {},
): Promise<ScaleBatchSizeResult | null> {
  const o = {
    ...DEFAULTS,
    ...checkTunerOptions("scale_batch_size", options),
  } as Required<ScaleBatchSizeOptions>;
  if (!(trainer instanceof Trainer)) {
    throw new TypeError(
      "scale_batch_size needs a lumen Trainer (its step settings and run folder)",
    );
  }
  if (trainer.fastDevRun > 0) {
    console.warn("Skipping batch size scaler since `fast_dev_run` is enabled.");
    return null;
  }
  system.configureOptimizers();
  const original = system.dataloaders.train;
  if (!original) {
    throw new Error(
      "scale_batch_size needs a train dataloader: set system::dataloaders::train in the config",
    );
  }
  await original.load();
  const dataset = original.dataset;
  const datasetLength = dataset instanceof IterableDataset ? undefined : dataset.length;
  const saved = await saveState(system);
  const trials: BatchSizeTrial[] = [];
  const trial = async (batchSize: number): Promise<boolean> => {
    if (batchSize < 1) {
      throw new Error(
        "scale_batch_size: even a batch of 1 ran out of memory " +
          `(${trials.map((t) => `${t.batchSize}: ${t.error}`).join("; ")})`,
      );
    }
    emptyCache();
    const loader = withBatchSize(original, batchSize);
    system.dataloaders.train = loader;
    try {
      await runSteps(trainer, system, {
        steps: o.stepsPerTrial,
        callbacks: () => [],
        wholeLoader: true,
      });
    } catch (e) {
      if (!isOutOfMemory(e)) throw e;
      trials.push({ batchSize, fits: false, bytes: deviceBytes(), error: (e as Error).message });
      return false;
    } finally {
      loader.close();
    }
    const bytes = deviceBytes();
    if (o.maxMemoryBytes !== null && bytes > o.maxMemoryBytes) {
      const error = `${bytes} bytes held after the trial > max_memory_bytes ${o.maxMemoryBytes}`;
      trials.push({ batchSize, fits: false, bytes, error });
      return false;
    }
    trials.push({ batchSize, fits: true, bytes });
    return true;
  };
  let batchSize: number;
  try {
    batchSize = await searchBatchSize({
      mode: o.mode,
      initVal: o.initVal,
      maxTrials: o.maxTrials,
      margin: o.mode === "binsearch" ? o.margin : 0,
      maxVal: o.maxVal,
      current: original.batchSize,
      datasetLength,
      trial,
      info: (line) => console.log(line),
    });
    emptyCache();
  } finally {
    system.dataloaders.train = original;
    restoreState(system, saved);
  }
  if (batchSize !== original.batchSize) {
    const found = withBatchSize(original, batchSize);
    found.setEpoch(original.epoch);
    system.dataloaders.train = found;
    original.close();
  }
  console.log(
    `Finished batch size finder, will continue with full run using batch size ${batchSize}`,
  );
  const json = {
    batch_size: batchSize,
    mode: o.mode,
    steps_per_trial: o.stepsPerTrial,
    init_val: o.initVal,
    max_trials: o.maxTrials,
    margin: o.mode === "binsearch" ? o.margin : 0,
    max_val: o.maxVal,
    max_memory_bytes: o.maxMemoryBytes,
    trials: trials.map((t) => ({
      batch_size: t.batchSize,
      fits: t.fits,
      bytes: t.bytes,
      ...(t.error ? { error: t.error } : {}),
    })),
  };
  const path = await writeRunFile(
    trainer,
    "scale_batch_size.json",
    JSON.stringify(json, null, 2) + "\n",
  );
  console.log(`scale_batch_size: wrote ${path}`);
  return { batchSize, trials, path };
}
