/**
 * The cost of `Trainer.fit` over a bare step loop on the same model, data, optimizer and batch
 * size (the goal: at most 10% more time per epoch). One epoch of synthetic 28x28 images
 * per round, four ways, interleaved in one process (the starting arm rotates each round):
 *
 * - `bare`: `for await (const [x, y] of loader) tidy(() => { zeroGrad; loss =
 *   F.crossEntropy(model.call(x), y); backward; step })`, a non-blocking read of the loss started
 *   every 50 steps (fit's default `log_every_n_steps`), the last one awaited at the end;
 * - `fit`: `new Trainer({maxEpochs: 1, logger: CSVLogger (temp dir), enableCheckpointing: false,
 *   enableProgressBar: false, numSanityValSteps: 0, logEveryNSteps: 50}).fit(new System({model,
 *   criterion: CrossEntropyLoss, optimizer, dataloaders: {train: loader}}))`, Trainer and System
 *   built inside the timed region;
 * - `bareAcc` / `fitAcc`: the same with a multiclass `metrics.Accuracy` (the bare loop calls its
 *   `forward` each step and reads `compute()` at the end; fit logs it per step and per epoch).
 *
 * Samples/s = epoch samples / round time; the median and range of the rounds are reported, and
 * the overhead is `median(bare time) -> median(fit time)` in %.
 *
 *   XDG_RUNTIME_DIR=/tmp/xdg deno run -A bench/fit_bench.ts [--rounds 5]   # alone
 *   XDG_RUNTIME_DIR=/tmp/xdg deno task bench --only fit                    # through main.ts
 *
 * @module
 */
import {
  data,
  datasets,
  deviceInfo,
  F,
  loggers,
  metrics,
  nn,
  optim,
  System,
  type Tensor,
  tidy,
  Trainer,
} from "../mod.ts";
import process from "node:process";
import { median } from "./matmul_bench.ts";
import { cnn, mlp } from "./train_bench.ts";

/** Batch size of both workloads (as bench/train_bench.ts). */
export const FIT_BATCH = 64;
/** Steps between loss reads in the bare loop; `logEveryNSteps` of the fit. */
export const LOG_EVERY_N_STEPS = 50;

/** The four ways an epoch is run. */
export type FitArm = "bare" | "fit" | "bareAcc" | "fitAcc";
/** The arms in the order of the table. */
export const FIT_ARMS: readonly FitArm[] = ["bare", "fit", "bareAcc", "fitAcc"];

/** One workload: a model builder and the size of its synthetic epoch. */
export interface FitWorkload {
  /** Row name. */
  name: string;
  /** Samples per epoch (a multiple of the batch size). */
  samples: number;
  /** A fresh model. */
  build: () => nn.Sequential;
}

/** The two workloads: 50 MLP steps (one logged row) and 10 CNN steps per epoch. */
export const FIT_WORKLOADS: readonly FitWorkload[] = [
  { name: "MLP 784-256-256-10", samples: 3200, build: mlp },
  { name: "CNN conv32-pool-conv64-pool-fc128-fc10", samples: 640, build: cnn },
];

/** Rounds of each arm. */
export interface FitTiming {
  /** Untimed epochs of each arm first (pipeline compiles, buffer pools). */
  warmup: number;
  /** Timed epochs of each arm, interleaved; at least 3. */
  rounds: number;
}

/** Default rounds: one warm-up epoch and 5 timed epochs of each arm. */
export const FIT_TIMING: FitTiming = { warmup: 1, rounds: 5 };

/** Samples/s of every round of each arm of one workload. */
export interface FitResult {
  /** The workload's name. */
  workload: string;
  /** Samples per epoch. */
  samples: number;
  /** Samples/s (wall clock) of each timed round, by arm, in round order. */
  rounds: Record<FitArm, number[]>;
  /** CPU seconds of the whole process (lavapipe's threads included) per epoch, likewise. */
  cpu: Record<FitArm, number[]>;
}

/** Median, min and max of a list. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** The median and range of `values`. */
export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Wall-time overhead in % of `arm` over `base`, from their median samples/s. */
export function overhead(result: FitResult, arm: FitArm, base: FitArm): number {
  return (median(result.rounds[base]) / median(result.rounds[arm]) - 1) * 100;
}

/** Wall-time overhead in % of `arm` over `base` within each round (the same minute's load). */
export function pairedOverheads(result: FitResult, arm: FitArm, base: FitArm): number[] {
  return result.rounds[arm].map((v, i) => (result.rounds[base][i] / v - 1) * 100);
}

/** CPU-time overhead in % of `arm` over `base`, from their median CPU seconds per epoch. */
export function cpuOverhead(result: FitResult, arm: FitArm, base: FitArm): number {
  return (median(result.cpu[arm]) / median(result.cpu[base]) - 1) * 100;
}

/** A small seeded generator (mulberry32): the same synthetic data in every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled loader over `n` random 1x28x28 images in [0, 1) and labels 0..9 (fixed seed). */
function syntheticLoader(n: number): data.DataLoader<[Tensor, Tensor]> {
  const next = random(1234);
  const x = Float32Array.from({ length: n * 784 }, next);
  const y = Int32Array.from({ length: n }, () => Math.floor(next() * 10));
  return new data.DataLoader<[Tensor, Tensor]>({
    dataset: new datasets.TensorDataset({
      tensors: [data.hostArray(x, [n, 1, 28, 28]), data.hostArray(y, [n])],
    }),
    batchSize: FIT_BATCH,
    shuffle: true,
    seed: 0,
  });
}

function accuracy(): metrics.Accuracy {
  return new metrics.Accuracy({ task: "multiclass", numClasses: 10 });
}

/** One epoch of the bare loop; returns its ms. */
async function bareEpoch(
  model: nn.Sequential,
  optimizer: optim.Adam,
  loader: data.DataLoader<[Tensor, Tensor]>,
  metric: metrics.Accuracy | null,
): Promise<number> {
  const t0 = performance.now();
  model.train();
  loader.setEpoch(0);
  let step = 0;
  let read: Promise<unknown> = Promise.resolve();
  let last: Tensor | null = null;
  for await (const [x, y] of loader) {
    const loss = tidy(() => {
      optimizer.zeroGrad();
      const pred = model.call(x);
      const l = F.crossEntropy(pred, y);
      metric?.forward(pred, y);
      l.backward();
      optimizer.step();
      return l;
    });
    x.dispose();
    y.dispose();
    last?.dispose();
    last = loss;
    if (++step % LOG_EVERY_N_STEPS === 0) {
      read = loss.data(); // started, not awaited: the loop goes on, as fit's
      loss.dispose();
      last = null;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  const reads: Promise<unknown>[] = [read];
  if (last) reads.push(last.data());
  last?.dispose();
  if (metric) {
    const value = metric.compute();
    reads.push(value.data());
    value.dispose();
    metric.reset();
  }
  await Promise.all(reads);
  return performance.now() - t0;
}

/** One `Trainer.fit` epoch, Trainer and System built inside the timing; returns its ms. */
async function fitEpoch(
  model: nn.Sequential,
  optimizer: optim.Adam,
  loader: data.DataLoader<[Tensor, Tensor]>,
  metric: metrics.Accuracy | null,
  logDir: string,
): Promise<number> {
  const t0 = performance.now();
  const trainer = new Trainer({
    maxEpochs: 1,
    logger: new loggers.CSVLogger({ saveDir: logDir }),
    enableCheckpointing: false,
    enableProgressBar: false,
    numSanityValSteps: 0,
    logEveryNSteps: LOG_EVERY_N_STEPS,
  });
  const system = new System({
    model,
    criterion: new nn.CrossEntropyLoss(),
    optimizer,
    dataloaders: { train: loader },
    ...(metric ? { metrics: { train: metric } } : {}),
  });
  await trainer.fit(system);
  return performance.now() - t0;
}

/** Runs the four arms of one workload, interleaved; `log` gets a line per round. */
async function benchWorkload(
  w: FitWorkload,
  timing: FitTiming,
  logDir: string,
  log: (line: string) => void,
): Promise<FitResult> {
  const model = w.build();
  const optimizer = new optim.Adam({ params: model.parameters(), lr: 1e-3 });
  const loader = syntheticLoader(w.samples);
  const acc = accuracy();
  const run: Record<FitArm, () => Promise<number>> = {
    bare: () => bareEpoch(model, optimizer, loader, null),
    fit: () => fitEpoch(model, optimizer, loader, null, logDir),
    bareAcc: () => bareEpoch(model, optimizer, loader, acc),
    fitAcc: () => fitEpoch(model, optimizer, loader, acc, logDir),
  };
  for (let i = 0; i < timing.warmup; i++) for (const arm of FIT_ARMS) await run[arm]();
  const rounds: Record<FitArm, number[]> = { bare: [], fit: [], bareAcc: [], fitAcc: [] };
  const cpu: Record<FitArm, number[]> = { bare: [], fit: [], bareAcc: [], fitAcc: [] };
  for (let r = 0; r < timing.rounds; r++) {
    const order = FIT_ARMS.map((_, k) => FIT_ARMS[(k + r) % FIT_ARMS.length]);
    const line: string[] = [];
    for (const arm of order) {
      const before = process.cpuUsage();
      const ms = await run[arm]();
      const used = process.cpuUsage(before);
      rounds[arm].push((w.samples * 1000) / ms);
      cpu[arm].push((used.user + used.system) / 1e6);
      line.push(`${arm} ${(ms / 1000).toFixed(2)} s`);
    }
    log(`fit bench ${w.name}, round ${r + 1}/${timing.rounds}: ${line.join(", ")}`);
  }
  for (const p of model.parameters()) p.dispose();
  return { workload: w.name, samples: w.samples, rounds, cpu };
}

/**
 * Every workload's rounds. Logs of the fit arms go to a temporary folder, removed at the end.
 */
export async function benchFit(
  log: (line: string) => void = () => {},
  timing: FitTiming = FIT_TIMING,
): Promise<FitResult[]> {
  if (!Number.isInteger(timing.rounds) || timing.rounds < 3) {
    throw new Error(`benchFit needs at least 3 rounds, got ${timing.rounds}`);
  }
  const logDir = await Deno.makeTempDir({ prefix: "lumen-fit-bench-" });
  try {
    const out: FitResult[] = [];
    for (const w of FIT_WORKLOADS) out.push(await benchWorkload(w, timing, logDir, log));
    return out;
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
}

const fmtPct = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;

/** What each arm is compared with in the table. */
const BASE: Record<FitArm, FitArm | null> = {
  bare: null,
  fit: "bare",
  bareAcc: "bare",
  fitAcc: "bareAcc",
};
const ARM_NAMES: Record<FitArm, string> = {
  bare: "bare loop",
  fit: "Trainer.fit",
  bareAcc: "bare loop + Accuracy",
  fitAcc: "Trainer.fit + Accuracy",
};

/**
 * A markdown table, a row per workload and arm: samples/s (median [min-max] of the rounds), the
 * wall-time overhead over the arm it is compared with (from the medians, then the median and
 * range of the same-round pairs), and CPU seconds per epoch with their overhead.
 */
export function fitTable(results: readonly FitResult[]): string {
  const lines = [
    "| workload (samples/epoch) | arm | samples/s | time vs | wall overhead (per-round pairs: " +
    "median [range]) | " +
    "CPU s/epoch | CPU overhead |",
    "|---|---|---:|---|---:|---:|---:|",
  ];
  for (const r of results) {
    for (const arm of FIT_ARMS) {
      const rate = spread(r.rounds[arm]);
      const cpu = spread(r.cpu[arm]);
      const base = BASE[arm];
      const paired = base ? spread(pairedOverheads(r, arm, base)) : null;
      lines.push(
        `| ${r.workload} (${r.samples}) | ${ARM_NAMES[arm]} | ${rate.median.toFixed(0)} ` +
          `[${rate.min.toFixed(0)}-${rate.max.toFixed(0)}] | ${base ? ARM_NAMES[base] : "-"} | ` +
          (base && paired
            ? `${fmtPct(overhead(r, arm, base))} (${fmtPct(paired.median)} ` +
              `[${fmtPct(paired.min)}, ${fmtPct(paired.max)}])`
            : "-") +
          ` | ${cpu.median.toFixed(2)} [${cpu.min.toFixed(2)}-${cpu.max.toFixed(2)}] | ` +
          `${base ? fmtPct(cpuOverhead(r, arm, base)) : "-"} |`,
      );
    }
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--rounds");
  const rounds = i >= 0 ? Number(Deno.args[i + 1]) : FIT_TIMING.rounds;
  console.log(`adapter: ${deviceInfo().description}`);
  const results = await benchFit((line) => console.error(line), { ...FIT_TIMING, rounds });
  console.log(fitTable(results));
}
