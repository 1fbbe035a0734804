/**
 * Training-step benchmarks of peer-figures.md for lumen, and the workload definitions the TF.js
 * peer (bench/peer_tfjs_train.ts) and bench/main.ts share. bench/peer_torch.py `--mode train`
 * prints the same row names (keep them in sync by hand: it is Python).
 *
 *   deno run -A bench/train_bench.ts     # lumen alone
 *
 * A step is zeroGrad, forward, loss, backward, optimizer step, inside one `tidy`, on one fixed
 * random batch already on the device, at batch 64 and 512. Samples/s are given two ways: reading
 * the loss back once after N steps (as a loop that logs every N steps; N = 20 on a real GPU) and
 * after every step, which pays the adapter's readback floor (~11.5 ms on llvmpipe, the same on
 * an H100 under Deno) each time. Beside them, `lumen.deviceStats()` gives the dispatches, submits
 * and newly compiled pipelines per step.
 *
 * @module
 */
import { deviceInfo, deviceStats, F, nn, optim, randn, type Tensor, tensor, tidy } from "../mod.ts";
import { isRealGpu } from "./adapter.ts";
import { median } from "./matmul_bench.ts";

/** Batch size of the conv workloads and of the TF.js peer's training steps. */
export const TRAIN_BATCH = 64;
/** Batch sizes of lumen's and PyTorch's MLP and CNN training steps. */
export const TRAIN_BATCHES: readonly number[] = [64, 512];

/** The two trained models. */
export type TrainModel = "mlp" | "cnn";

const MODEL_NAMES: Record<TrainModel, string> = {
  mlp: "MLP 784-256-256-10",
  cnn: "CNN conv32-pool-conv64-pool-fc128-fc10",
};

/**
 * A training row's name, identical across lumen and its peers (peer_torch.py builds the same
 * string): `sync` rows read the loss after every step, the others once per round of N steps.
 */
export function trainRow(model: TrainModel, batch: number, sync: boolean): string {
  return `${MODEL_NAMES[model]}, batch ${batch}, loss read ${
    sync ? "every step" : "after N steps"
  }`;
}

/** Row names of the batch-64 steps and the convs, which the TF.js peer measures too. */
export const TRAIN_ROWS = {
  mlp: trainRow("mlp", 64, false),
  mlpSync: trainRow("mlp", 64, true),
  cnn: trainRow("cnn", 64, false),
  cnnSync: trainRow("cnn", 64, true),
  conv1: "conv fwd+bwd (dX, dW) 64x1x28x28 -> 32, 3x3",
  conv2: "conv fwd+bwd (dX, dW) 64x32x14x14 -> 64, 3x3",
} as const;

/** One conv fwd+bwd workload: NCHW input, output channels; 3x3 kernel, padding 1, stride 1. */
export interface ConvWorkload {
  /** Row name (a TRAIN_ROWS value). */
  name: string;
  /** [N, C, H, W] */
  input: [number, number, number, number];
  /** Output channels. */
  outChannels: number;
}

/** The two convs of the CNN, at the shapes they see in its training step. */
export const CONV_WORKLOADS: readonly ConvWorkload[] = [
  { name: TRAIN_ROWS.conv1, input: [64, 1, 28, 28], outChannels: 32 },
  { name: TRAIN_ROWS.conv2, input: [64, 32, 14, 14], outChannels: 64 },
];

/** How many steps each training workload runs. */
export interface TrainTiming {
  /** Untimed steps first (pipeline compile, buffer pools), ending with one read. */
  warmup: number;
  /** Timed rounds of `stepsPerRound` steps, each ending with one loss read; median reported. */
  rounds: number;
  /** Steps per round (the "read metrics every N steps" of a real loop). */
  stepsPerRound: number;
  /** Timed single steps each followed by a loss read; median reported. */
  syncSteps: number;
}

/** Step counts for one peer's three kinds of workload. */
export interface TrainTimings {
  mlp: TrainTiming;
  cnn: TrainTiming;
  /** For conv fwd+bwd, `rounds` timed passes after `warmup`, each ending with the reads. */
  conv: TrainTiming;
}

/**
 * lumen's step counts for one MLP or CNN workload. On a real GPU every round is 20 steps ending
 * with one loss read; on a CPU adapter (a CNN step at batch 64 is ~0.7 s on llvmpipe) rounds
 * are shorter and fewer, so the whole bench stays near a minute or two.
 */
export function lumenTrainTiming(model: TrainModel, batch: number, realGpu: boolean): TrainTiming {
  if (realGpu) return { warmup: 20, rounds: 7, stepsPerRound: 20, syncSteps: 15 };
  const big = batch > TRAIN_BATCH;
  if (model === "mlp") {
    return big
      ? { warmup: 2, rounds: 3, stepsPerRound: 5, syncSteps: 3 }
      : { warmup: 5, rounds: 5, stepsPerRound: 20, syncSteps: 15 };
  }
  return big
    ? { warmup: 1, rounds: 2, stepsPerRound: 2, syncSteps: 1 }
    : { warmup: 3, rounds: 5, stepsPerRound: 5, syncSteps: 7 };
}

/** lumen's conv fwd+bwd passes. */
export const CONV_TIMING: TrainTiming = { warmup: 2, rounds: 7, stepsPerRound: 1, syncSteps: 0 };

/** TF.js WebGPU's step counts (batch 64): fewer, since its CNN step takes ~2 s on llvmpipe. */
export const TFJS_TRAIN_TIMING: TrainTimings = {
  mlp: { warmup: 5, rounds: 5, stepsPerRound: 10, syncSteps: 9 },
  cnn: { warmup: 2, rounds: 3, stepsPerRound: 4, syncSteps: 3 },
  conv: { warmup: 2, rounds: 5, stepsPerRound: 1, syncSteps: 0 },
};

/** A figure as bench/main.ts takes it. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
}

/** Calls around the timed part of `timeTraining`, e.g. to read device counters. */
export interface TrainingHooks {
  /** After the warm-up steps and their read. */
  afterWarmup?: () => void;
  /** After the timed rounds, before the single steps. */
  afterRounds?: () => void;
}

/**
 * Times a training loop the same way for every JS peer. `step()` runs one full step and returns
 * a handle on its loss; `read(loss)` waits for that value on the host; `drop(loss)` frees it.
 * Returns [samples/s with one read per round, samples/s with a read after every step, the last
 * round's loss], for `batch` samples a step.
 */
export async function timeTraining<L>(
  step: () => L,
  read: (loss: L) => Promise<number>,
  drop: (loss: L) => void,
  timing: TrainTiming,
  batch: number = TRAIN_BATCH,
  hooks: TrainingHooks = {},
): Promise<[number, number, number]> {
  const run = async (steps: number): Promise<[number, number]> => {
    const t0 = performance.now();
    let last: L | null = null;
    for (let i = 0; i < steps; i++) {
      if (last !== null) drop(last);
      last = step();
    }
    const value = await read(last as L);
    drop(last as L);
    return [performance.now() - t0, value];
  };
  await run(timing.warmup);
  hooks.afterWarmup?.();
  const rounds: number[] = [];
  let loss = NaN;
  for (let r = 0; r < timing.rounds; r++) {
    const [ms, value] = await run(timing.stepsPerRound);
    rounds.push(ms);
    loss = value;
  }
  hooks.afterRounds?.();
  const singles: number[] = [];
  for (let r = 0; r < timing.syncSteps; r++) singles.push((await run(1))[0]);
  const perSecond = (ms: number, steps: number) => (steps * batch * 1000) / ms;
  return [
    perSecond(median(rounds), timing.stepsPerRound),
    singles.length ? perSecond(median(singles), 1) : NaN,
    loss,
  ];
}

/** The MLP of peer-figures.md: 784-256-256-10 with ReLU (fit_bench.ts trains it too). */
export function mlp(): nn.Sequential {
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 784, outFeatures: 256 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 256, outFeatures: 256 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 256, outFeatures: 10 }),
  );
}

/** The CNN of peer-figures.md; "same" padding, so the second conv sees 14x14 and fc 64·7·7. */
export function cnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 32, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Conv2d({ inChannels: 32, outChannels: 64, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 64 * 7 * 7, outFeatures: 128 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 128, outFeatures: 10 }),
  );
}

/** Labels 0..9, deterministic. */
function labels(n: number): Tensor {
  return tensor(Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % 10));
}

/** Device work per training step of one workload, from `lumen.deviceStats()`. */
export interface StepStats {
  /** Row name (`trainRow(model, batch, false)`). */
  name: string;
  /** Steps between loss reads in the timed rounds. */
  stepsPerRead: number;
  /** Kernel dispatches per step over the timed rounds (the rounds' reads included). */
  dispatches: number;
  /** Queue submits per step over the timed rounds. */
  submits: number;
  /** Pipelines compiled during the warm-up steps (ones shared with earlier workloads excluded). */
  warmupPipelines: number;
  /** Pipelines compiled during the timed rounds: 0 when every kernel is cached. */
  timedPipelines: number;
}

/** Samples/s of one model's training step, read once per round and read every step. */
async function trainModel(
  model: nn.Sequential,
  batch: number,
  timing: TrainTiming,
  names: [string, string],
  log: (line: string) => void,
): Promise<{ rows: BenchRow[]; stats: StepStats }> {
  const x = randn([batch, 1, 28, 28]);
  const y = labels(batch);
  const optimizer = new optim.Adam({ params: model.parameters(), lr: 1e-3 });
  model.train();
  const step = (): Tensor =>
    tidy(() => {
      optimizer.zeroGrad();
      const loss = F.crossEntropy(model.call(x), y);
      loss.backward();
      optimizer.step();
      return loss;
    });
  const start = deviceStats();
  let warm = start, timed = start;
  const [perRound, perStep, loss] = await timeTraining(
    step,
    (l) => l.item(),
    (l) => l.dispose(),
    timing,
    batch,
    { afterWarmup: () => warm = deviceStats(), afterRounds: () => timed = deviceStats() },
  );
  const steps = timing.rounds * timing.stepsPerRound;
  const stats: StepStats = {
    name: names[0],
    stepsPerRead: timing.stepsPerRound,
    dispatches: (timed.dispatches - warm.dispatches) / steps,
    submits: (timed.submits - warm.submits) / steps,
    warmupPipelines: warm.pipelines - start.pipelines,
    timedPipelines: timed.pipelines - warm.pipelines,
  };
  log(
    `lumen ${names[0]}: ${perRound.toFixed(0)} samples/s, ${stats.dispatches.toFixed(0)} ` +
      `dispatches/step (last loss ${loss.toFixed(4)})`,
  );
  x.dispose();
  y.dispose();
  for (const p of model.parameters()) p.dispose();
  return {
    rows: [
      { name: names[0], value: perRound, unit: "samples/s" },
      { name: names[1], value: perStep, unit: "samples/s" },
    ],
    stats,
  };
}

/** One conv's forward and backward (dX and dW, bias-free), timed through both reads. */
async function convFwdBwd(w: ConvWorkload, timing: TrainTiming): Promise<BenchRow> {
  const [, c, h, wd] = w.input;
  const x = randn([...w.input], { requiresGrad: true });
  const weight = randn([w.outChannels, c, 3, 3], { requiresGrad: true });
  const dy = randn([w.input[0], w.outChannels, h, wd]);
  const times: number[] = [];
  for (let i = 0; i < timing.warmup + timing.rounds; i++) {
    x.grad?.dispose();
    weight.grad?.dispose();
    x.grad = weight.grad = null;
    const t0 = performance.now();
    tidy(() => F.conv2d(x, weight, null, { padding: 1 }).backward(dy));
    await Promise.all([weight.grad!.data(), x.grad!.data()]);
    if (i >= timing.warmup) times.push(performance.now() - t0);
  }
  for (const t of [x, weight, dy, x.grad!, weight.grad!]) t.dispose();
  return { name: w.name, value: median(times), unit: "ms" };
}

/** What `benchTrain` measured. */
export interface TrainResult {
  /** Samples/s of the training steps, ms of the convs. */
  rows: BenchRow[];
  /** Device work per step of each MLP and CNN workload. */
  stats: StepStats[];
}

/**
 * lumen's training figures: MLP and CNN samples/s at each of `TRAIN_BATCHES` (read after N steps
 * and after every step) with their dispatches, submits and pipelines per step, and conv fwd+bwd
 * ms. `realGpu` picks the step counts (`lumenTrainTiming`); `log` gets a progress line per
 * workload (stderr-like; main prints tables).
 */
export async function benchTrain(
  realGpu: boolean,
  log: (line: string) => void = () => {},
): Promise<TrainResult> {
  const rows: BenchRow[] = [];
  const stats: StepStats[] = [];
  const builders: Record<TrainModel, () => nn.Sequential> = { mlp, cnn };
  for (const model of ["mlp", "cnn"] as const) {
    for (const batch of TRAIN_BATCHES) {
      const names: [string, string] = [
        trainRow(model, batch, false),
        trainRow(model, batch, true),
      ];
      const timing = lumenTrainTiming(model, batch, realGpu);
      const r = await trainModel(builders[model](), batch, timing, names, log);
      rows.push(...r.rows);
      stats.push(r.stats);
    }
  }
  for (const w of CONV_WORKLOADS) {
    const row = await convFwdBwd(w, CONV_TIMING);
    log(`lumen ${row.name}: ${row.value.toFixed(1)} ms`);
    rows.push(row);
  }
  return { rows, stats };
}

if (import.meta.main) {
  const { rows, stats } = await benchTrain(
    isRealGpu(deviceInfo().description),
    (line) => console.error(line),
  );
  console.log("| work | lumen | unit |\n|---|---:|---|");
  for (const r of rows) console.log(`| ${r.name} | ${r.value.toFixed(1)} | ${r.unit} |`);
  console.log("\n| work | dispatches/step | submits/step | pipelines warm-up / timed |");
  console.log("|---|---:|---:|---:|");
  for (const s of stats) {
    console.log(
      `| ${s.name} | ${s.dispatches.toFixed(1)} | ${s.submits.toFixed(2)} | ` +
        `${s.warmupPipelines} / ${s.timedPipelines} |`,
    );
  }
}
