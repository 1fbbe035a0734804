/**
 * `tuner.scaleBatchSize`: Lightning 2.6's search (the sizes tried, in order, and the one
 * returned, derived by hand from `batch_size_scaling.py`), out of memory as a byte limit and as
 * the adapter's largest binding, the state put back, the DataLoader rebuilt, the JSON written.
 */
import assert from "node:assert/strict";
import {
  data,
  datasets,
  deviceInfo,
  memory,
  nn,
  optim,
  System,
  type Tensor,
  Trainer,
  tuner,
} from "../../mod.ts";
import { getDevice } from "../../src/device/default_device.ts";
import { searchBatchSize, type SearchOptions } from "../../src/tuner/_batch_search.ts";
import { quietTrainer, rejectsWith, tinySystem } from "../trainer/_tiny.ts";
import { stateBytes, tempDir } from "./_helpers.ts";

/** Runs the search with a trial that fits sizes up to `fitsUpTo`; the sizes tried and the result. */
async function search(
  fitsUpTo: number,
  options: Partial<SearchOptions> = {},
): Promise<{ size: number; tried: number[]; lines: string[] }> {
  const tried: number[] = [];
  const lines: string[] = [];
  const size = await searchBatchSize({
    mode: "power",
    initVal: 2,
    maxTrials: 25,
    margin: 0,
    maxVal: 8192,
    current: 8,
    trial: (n) => {
      tried.push(n);
      return Promise.resolve(n <= fitsUpTo);
    },
    info: (line) => lines.push(line),
    ...options,
  });
  return { size, tried, lines };
}

Deno.test("power: double from init_val until a size fails, return the last that fitted", async () => {
  const r = await search(37);
  assert.deepEqual(r.tried, [2, 4, 8, 16, 32, 64]);
  assert.equal(r.size, 32);
  assert.deepEqual(r.lines.slice(-2), [
    "Batch size 32 succeeded, trying batch size 64",
    "Batch size 64 failed, trying batch size 32",
  ]);
  // Nothing fits at init_val: halve, then double again, and stop at the first failure after a fit.
  const low = await search(1);
  assert.deepEqual(low.tried, [2, 1, 2]);
  assert.equal(low.size, 1);
  // The last of max_trials fits: that size, not the next, untried one (Lightning 2.6).
  const few = await search(1000, { maxTrials: 3 });
  assert.deepEqual(few.tried, [2, 4, 8]);
  assert.equal(few.size, 8);
});

Deno.test("binsearch: double, then bisect between the last fit and the failure; margin", async () => {
  const r = await search(37, { mode: "binsearch" });
  assert.deepEqual(r.tried, [2, 4, 8, 16, 32, 64, 48, 40, 36, 38, 37]);
  assert.equal(r.size, 37);
  const m = await search(37, { mode: "binsearch", margin: 0.05 });
  assert.equal(m.size, 35); // int(37 * 0.95)
  assert.equal(m.lines.at(-1), "Applying margin of 5.0%, reducing batch size from 37 to 35");
  const few = await search(37, { mode: "binsearch", maxTrials: 4 });
  assert.deepEqual(few.tried, [2, 4, 8, 16]);
  assert.equal(few.size, 16);
});

Deno.test("search: the dataset's length stops the growth; max_val caps it", async () => {
  const r = await search(1000, { datasetLength: 40 });
  assert.deepEqual(r.tried, [2, 4, 8, 16, 32, 64]);
  assert.equal(r.size, 64);
  assert.equal(
    r.lines.at(-1),
    "The batch size 64 is greater or equal than the length of your dataset: 40.",
  );
  const capped = await search(1000, { maxVal: 20 });
  assert.deepEqual(capped.tried, [2, 4, 8, 16]);
  assert.equal(capped.size, 20);
  assert.deepEqual(capped.lines.slice(-3), [
    "Batch size 32 exceeds max_val limit 20, capping at 20",
    "Batch size 16 succeeded, trying batch size 20",
    "Reached the maximum batch size limit of 20. Stopping search.",
  ]);
  // A configured size as large as the dataset still starts at init_val and may shrink (Lightning
  // would keep 64 and, in binsearch, retry it forever).
  const big = await search(16, { mode: "binsearch", current: 64, datasetLength: 64 });
  assert.deepEqual(big.tried, [2, 4, 8, 16, 32, 24, 20, 18, 17]);
  assert.equal(big.size, 16);
});

const N = 64;
const HIDDEN = 4096;

/** A system whose activations grow with the batch: 4 → 4096 → 2 on 64 samples. */
function wideSystem(): System {
  const x = new Float32Array(N * 4).map((_, i) => Math.sin(i));
  const y = new Int32Array(N).map((_, i) => i % 2);
  const dataset = new datasets.TensorDataset({
    tensors: [data.hostArray(x, [N, 4]), data.hostArray(y, [N])],
  });
  const model = new nn.Sequential({
    layers: [
      new nn.Linear({ inFeatures: 4, outFeatures: HIDDEN }),
      new nn.ReLU(),
      new nn.Linear({ inFeatures: HIDDEN, outFeatures: 2 }),
    ],
  });
  return new System({
    model,
    criterion: new nn.CrossEntropyLoss(),
    optimizer: new optim.SGD({ params: model.parameters(), lr: 0.01, momentum: 0.9 }),
    dataloaders: { train: new data.DataLoader({ dataset, batchSize: 8, shuffle: true, seed: 3 }) },
  });
}

/**
 * Bytes the device holds after 3 training steps at batch size `b` (live and pooled, the pool
 * emptied before): measured here with a plain Trainer, not the tuner.
 */
async function footprint(system: System, b: number): Promise<number> {
  const loader = system.dataloaders.train!;
  getDevice().emptyCache();
  system.dataloaders.train = new data.DataLoader({
    dataset: loader.dataset,
    batchSize: b,
    shuffle: true,
    seed: 3,
  });
  await quietTrainer({ maxSteps: 3, maxEpochs: -1, numSanityValSteps: 0, limitValBatches: 0 })
    .fit(system);
  system.dataloaders.train = loader;
  const m = memory();
  return m.liveBytes + m.pooledBytes;
}

Deno.test("max_memory_bytes: power and binsearch stop where the measured footprint passes it", async () => {
  const system = wideSystem();
  const bytes = new Map<number, number>();
  const at = async (b: number): Promise<number> => {
    if (!bytes.has(b)) bytes.set(b, await footprint(system, b));
    return bytes.get(b)!;
  };
  for (const b of [2, 4, 8, 16, 32]) await at(b);
  assert.ok(bytes.get(2)! <= bytes.get(4)! && bytes.get(4)! <= bytes.get(8)!);
  assert.ok(bytes.get(8)! <= bytes.get(16)! && bytes.get(16)! < bytes.get(32)!);
  // A limit between the footprints of 16 (fits) and 32 (does not), and bisection between them on
  // the footprints measured here; every footprint compared is far from the limit.
  const limit = Math.round(bytes.get(16)! + 0.37 * (bytes.get(32)! - bytes.get(16)!));
  let [low, high] = [16, 32];
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (await at(mid) <= limit) low = mid;
    else high = mid;
  }
  for (const [b, v] of bytes) assert.ok(Math.abs(v - limit) > 16384, `${b}: ${v} vs ${limit}`);

  const dir = tempDir();
  const before = await stateBytes(system);
  const power = await tuner.scaleBatchSize(quietTrainer({ defaultRootDir: dir }), system, {
    maxMemoryBytes: limit,
  });
  assert.ok(power);
  assert.equal(power.batchSize, 16);
  assert.deepEqual(power.trials.map((t) => t.batchSize), [2, 4, 8, 16, 32]);
  assert.deepEqual(power.trials.map((t) => t.fits), [true, true, true, true, false]);
  for (const t of power.trials) {
    assert.ok(Math.abs(t.bytes - bytes.get(t.batchSize)!) < 4096, `${t.batchSize}: ${t.bytes}`);
  }
  assert.equal(
    power.trials[4].error,
    `${power.trials[4].bytes} bytes held after the trial > max_memory_bytes ${limit}`,
  );
  assert.deepEqual(await stateBytes(system), before);
  assert.equal(system.dataloaders.train!.batchSize, 16);
  assert.equal(system.dataloaders.train!.shuffle, true);
  assert.equal(system.dataloaders.train!.seed, 3);
  const json = JSON.parse(await Deno.readTextFile(`${dir}/scale_batch_size.json`));
  assert.equal(power.path, `${dir}/scale_batch_size.json`);
  assert.equal(json.batch_size, 16);
  assert.equal(json.mode, "power");
  assert.equal(json.max_memory_bytes, limit);
  assert.deepEqual(json.trials.map((t: { batch_size: number }) => t.batch_size), [2, 4, 8, 16, 32]);

  const exact = await tuner.scaleBatchSize(quietTrainer({ defaultRootDir: dir }), system, {
    mode: "binsearch",
    margin: 0,
    maxMemoryBytes: limit,
  });
  assert.equal(exact?.batchSize, low);
  assert.ok(low > 16 && low < 32, `${low}`);
  const margin = await tuner.scaleBatchSize(quietTrainer({ defaultRootDir: dir }), system, {
    mode: "binsearch",
    maxMemoryBytes: limit,
  });
  assert.equal(margin?.batchSize, Math.trunc(low * 0.95));
  assert.equal(system.dataloaders.train!.batchSize, Math.trunc(low * 0.95));
  assert.deepEqual(await stateBytes(system), before);
});

/** A model whose activation takes `perSample` bytes per sample: the device refuses it when it is larger than the adapter's largest binding. */
class WideActivation extends nn.Module {
  fc = new nn.Linear({ inFeatures: 4, outFeatures: 3 });
  constructor(readonly perSample: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    const device = getDevice();
    device.release(device.alloc(x.shape[0] * this.perSample));
    return this.fc.call(x);
  }
}

Deno.test("a buffer over the adapter's largest binding is out of memory", async () => {
  const system = await tinySystem();
  const limit = deviceInfo().maxBindingBytes;
  const perSample = Math.ceil(limit / 6 / 4) * 4; // 4 samples fit, 8 do not.
  const model = new WideActivation(perSample);
  const wide = new System({
    model,
    criterion: system.criterion,
    optimizer: new optim.SGD({ params: model.parameters(), lr: 0.1 }),
    dataloaders: { train: system.dataloaders.train },
  });
  const before = await stateBytes(wide);
  const found = await tuner.scaleBatchSize(quietTrainer({ defaultRootDir: tempDir() }), wide);
  assert.ok(found);
  assert.equal(found.batchSize, 4);
  assert.deepEqual(found.trials.map((t) => [t.batchSize, t.fits]), [[2, true], [4, true], [
    8,
    false,
  ]]);
  assert.match(
    found.trials[2].error!,
    new RegExp(`A buffer of ${8 * perSample} bytes exceeds this adapter's largest binding`),
  );
  assert.deepEqual(await stateBytes(wide), before);
  getDevice().emptyCache();
});

Deno.test("scale_batch_size: options are checked; fast_dev_run skips; other errors propagate", async () => {
  const system = await tinySystem();
  const trainer = quietTrainer({ defaultRootDir: tempDir() });
  await rejectsWith(
    () => tuner.scaleBatchSize(trainer, system, { steps_per_trial: 1 } as never),
    "scale_batch_size has no option 'steps_per_trial'. Did you mean 'stepsPerTrial'?",
  );
  await rejectsWith(
    () => tuner.scaleBatchSize(trainer, system, { mode: "linear" } as never),
    "scale_batch_size option 'mode' must be 'power' or 'binsearch', got 'linear'",
  );
  await rejectsWith(
    () => tuner.scaleBatchSize(trainer, system, { batchArgName: "bs" } as never),
    "option 'batchArgName' must be 'batch_size' (the train DataLoader's batch_size), got 'bs'",
  );
  await rejectsWith(
    () => tuner.scaleBatchSize(trainer, system, { margin: 1 }),
    "scale_batch_size option 'margin' must be a number in [0, 1), got 1",
  );
  assert.equal(
    await tuner.scaleBatchSize(quietTrainer({ fastDevRun: 2 }), system),
    null,
  );
  // An error that is not about memory ends the search (the state is still put back).
  const before = await stateBytes(system);
  const broken = new System({
    model: system.model,
    criterion: () => {
      throw new Error("criterion broke");
    },
    optimizer: system.optimizer,
    dataloaders: { train: system.dataloaders.train },
  });
  await rejectsWith(() => tuner.scaleBatchSize(trainer, broken), "criterion broke");
  assert.deepEqual(await stateBytes(system), before);
  assert.equal(broken.dataloaders.train, system.dataloaders.train);
  assert.ok(new Trainer({ logger: false }) instanceof Trainer);
});
