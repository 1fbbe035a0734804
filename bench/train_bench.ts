/**
 * Training-step benchmarks of peer-figures.md for lumen, and the workload definitions the TF.js
 * peer (bench/peer_tfjs_train.ts) and bench/main.ts share. bench/peer_torch.py `--mode train`
 * prints the same row names (keep them in sync by hand: it is Python).
 *
 *   deno run -A bench/train_bench.ts     # lumen alone
 *
 * A step is zeroGrad, forward, loss, backward, optimizer step, inside one `tidy`, on one fixed
 * random batch already on the device. Samples/s are given two ways: reading the loss back once
 * after N steps (as a loop that logs every N steps) and after every step, which pays the
 * adapter's readback floor (~11.5 ms on llvmpipe) each time.
 *
 * @module
 */
import { F, nn, optim, randn, type Tensor, tensor, tidy } from "../mod.ts";
import { median } from "./matmul_bench.ts";

/** Batch size of every training workload. */
export const TRAIN_BATCH = 64;

/** Row names, identical across lumen and its peers so bench/main.ts can line them up. */
export const TRAIN_ROWS = {
  mlp: "MLP 784-256-256-10, loss read after N steps",
  mlpSync: "MLP 784-256-256-10, loss read every step",
  cnn: "CNN conv32-pool-conv64-pool-fc128-fc10, loss read after N steps",
  cnnSync: "CNN conv32-pool-conv64-pool-fc128-fc10, loss read every step",
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

/** lumen's step counts (a CNN step is ~0.3 s here). */
export const TRAIN_TIMING: TrainTimings = {
  mlp: { warmup: 5, rounds: 7, stepsPerRound: 10, syncSteps: 15 },
  cnn: { warmup: 3, rounds: 5, stepsPerRound: 5, syncSteps: 7 },
  conv: { warmup: 2, rounds: 7, stepsPerRound: 1, syncSteps: 0 },
};

/** TF.js WebGPU's step counts: fewer, since its CNN step takes ~2 s here. */
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

/**
 * Times a training loop the same way for every JS peer. `step()` runs one full step and returns
 * a handle on its loss; `read(loss)` waits for that value on the host; `drop(loss)` frees it.
 * Returns [samples/s with one read per round, samples/s with a read after every step].
 */
export async function timeTraining<L>(
  step: () => L,
  read: (loss: L) => Promise<number>,
  drop: (loss: L) => void,
  timing: TrainTiming,
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
  const rounds: number[] = [];
  let loss = NaN;
  for (let r = 0; r < timing.rounds; r++) {
    const [ms, value] = await run(timing.stepsPerRound);
    rounds.push(ms);
    loss = value;
  }
  const singles: number[] = [];
  for (let r = 0; r < timing.syncSteps; r++) singles.push((await run(1))[0]);
  const perSecond = (ms: number, steps: number) => (steps * TRAIN_BATCH * 1000) / ms;
  return [
    perSecond(median(rounds), timing.stepsPerRound),
    perSecond(median(singles), 1),
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

/** Samples/s of one model's training step, read once per round and read every step. */
async function trainModel(
  model: nn.Sequential,
  timing: TrainTiming,
  names: [string, string],
  log: (line: string) => void,
): Promise<BenchRow[]> {
  const x = randn([TRAIN_BATCH, 1, 28, 28]);
  const y = labels(TRAIN_BATCH);
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
  const [perRound, perStep, loss] = await timeTraining(
    step,
    (l) => l.item(),
    (l) => l.dispose(),
    timing,
  );
  log(`lumen ${names[0]}: ${perRound.toFixed(0)} samples/s (last loss ${loss.toFixed(4)})`);
  x.dispose();
  y.dispose();
  for (const p of model.parameters()) p.dispose();
  return [
    { name: names[0], value: perRound, unit: "samples/s" },
    { name: names[1], value: perStep, unit: "samples/s" },
  ];
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

/**
 * lumen's training figures: MLP and CNN samples/s (read after N steps and after every step) and
 * conv fwd+bwd ms. `log` gets a progress line per workload (stderr-like; main prints tables).
 */
export async function benchTrain(
  log: (line: string) => void = () => {},
): Promise<{ name: string; value: number; unit: string }[]> {
  const rows: BenchRow[] = [];
  rows.push(
    ...await trainModel(mlp(), TRAIN_TIMING.mlp, [TRAIN_ROWS.mlp, TRAIN_ROWS.mlpSync], log),
  );
  rows.push(
    ...await trainModel(cnn(), TRAIN_TIMING.cnn, [TRAIN_ROWS.cnn, TRAIN_ROWS.cnnSync], log),
  );
  for (const w of CONV_WORKLOADS) {
    const row = await convFwdBwd(w, TRAIN_TIMING.conv);
    log(`lumen ${row.name}: ${row.value.toFixed(1)} ms`);
    rows.push(row);
  }
  return rows;
}

if (import.meta.main) {
  const rows = await benchTrain((line) => console.error(line));
  console.log("| work | lumen | unit |\n|---|---:|---|");
  for (const r of rows) console.log(`| ${r.name} | ${r.value.toFixed(1)} | ${r.unit} |`);
}
