/**
 * The benchmark harness (`deno task bench`): in one process on one adapter, square f32 matmul
 * GFLOP/s and training steps (MLP, CNN, conv fwd+bwd) for lumen, TensorFlow.js (WebGPU, or its CPU
 * backend when WebGPU will not start) and PyTorch CPU (`/usr/bin/python3` subprocesses), lumen's
 * dispatch overhead, the config and data benches when their modules exist, and the cost of
 * `Trainer.fit` over a bare step loop (bench/fit_bench.ts). Prints markdown; `--json out.json`
 * writes the figures.
 *
 *   deno run -A --config bench/deno.json bench/main.ts [--json out.json] [--repeats 5]
 *     [--sizes 256,512,1024] [--skip tfjs,torch,extra,train,fit] [--only fit]
 *
 * Parts: `matmul` (with the dispatch overhead), `extra`, `train`, `fit`, and the peers `tfjs` and
 * `torch`. `--skip` leaves parts out; `--only` runs just the parts it names (peers included only
 * when named: `--only train,tfjs,torch`).
 *
 * bench/deno.json (with its own lock, bench/deno.lock) keeps TF.js out of the root config's lock:
 * `deno check` the TF.js files with `deno task check:bench`.
 *
 * The training section (MLP and CNN steps, conv fwd+bwd; bench/train_bench.ts and its peers
 * bench/peer_tfjs_train.ts and `peer_torch.py --mode train`) prints beside each row the peers'
 * published figures of /work/shared/spec/peer-figures.md, for reference.
 *
 * Peers run one after another, never at the same time: the machine has two cores.
 *
 * @module
 */
import { getDevice } from "../src/device/default_device.ts";
import {
  benchDispatch,
  benchLumenMatmul,
  type DispatchRow,
  type MatmulRow,
  type TimingOptions,
} from "./matmul_bench.ts";
import { benchTfjsMatmul, type TfjsResult } from "./peer_tfjs.ts";
import { benchTfjsTrain, type TfjsTrainResult } from "./peer_tfjs_train.ts";
import { benchTrain, TRAIN_ROWS } from "./train_bench.ts";
import { benchFit, FIT_TIMING, type FitResult, fitTable } from "./fit_bench.ts";

/** What the PyTorch subprocess printed, or why it did not run. */
interface TorchResult {
  available: boolean;
  reason?: string;
  version?: string;
  threads?: number;
  matmul?: MatmulRow[];
}

/** What the PyTorch subprocesses printed in train mode, or why they did not run. */
interface TorchTrainResult {
  available: boolean;
  reason?: string;
  version?: string;
  rows?: ExtraRow[];
}

/** A figure from another bench module (`benchConfig()`, `benchData()`). */
interface ExtraRow {
  name: string;
  value: number;
  unit: string;
}

/** One optional bench module: its file, its export, and what it gave. */
interface ExtraResult {
  module: string;
  rows: ExtraRow[];
  note?: string;
}

interface Options {
  json: string | null;
  sizes: number[];
  timing: TimingOptions;
  skip: Set<string>;
  /** The parts to run, when `--only` was given. */
  only: Set<string> | null;
}

/** The parts `--skip` and `--only` name. */
const PARTS = ["matmul", "extra", "train", "fit", "tfjs", "torch"];

function parseArgs(args: string[]): Options {
  const value = (flag: string): string | null => {
    const i = args.indexOf(flag);
    if (i < 0) return null;
    if (i + 1 >= args.length) throw new Error(`${flag} needs a value`);
    return args[i + 1];
  };
  const sizes = (value("--sizes") ?? "256,512,1024").split(",").map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`--sizes expects positive integers like 256,512, got ${value("--sizes")}`);
  }
  const repeats = Number(value("--repeats") ?? 5);
  const parts = (flag: string): Set<string> => {
    const names = (value(flag) ?? "").split(",").filter(Boolean);
    const unknown = names.filter((n) => !PARTS.includes(n));
    if (unknown.length) {
      throw new Error(`${flag} takes parts among ${PARTS.join(", ")}; got ${unknown.join(", ")}`);
    }
    return new Set(names);
  };
  const only = args.includes("--only") ? parts("--only") : null;
  return {
    json: value("--json"),
    sizes,
    timing: { warmup: 2, repeats },
    skip: parts("--skip"),
    only,
  };
}

/** Whether `part` runs under `--skip` / `--only`. */
function runs(opts: Options, part: string): boolean {
  return (opts.only === null || opts.only.has(part)) && !opts.skip.has(part);
}

const TORCH_PYTHON = "/usr/bin/python3";
const TORCH_SCRIPT = new URL("./peer_torch.py", import.meta.url);

async function exists(path: string | URL): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs bench/peer_torch.py with `args` and parses the one JSON object it prints. */
async function runTorch<T extends { available: boolean; reason?: string }>(
  args: string[],
  env: Record<string, string> = {},
): Promise<T | { available: false; reason: string }> {
  if (!(await exists(TORCH_PYTHON))) {
    return { available: false, reason: `${TORCH_PYTHON} does not exist` };
  }
  const cmd = new Deno.Command(TORCH_PYTHON, {
    args: [TORCH_SCRIPT.pathname, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  });
  const out = await cmd.output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-1)[0];
    return { available: false, reason: `peer_torch.py exited with ${out.code}: ${err}` };
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return { available: false, reason: `peer_torch.py printed no JSON: ${text.slice(0, 200)}` };
  }
}

function benchTorch(sizes: number[], timing: TimingOptions): Promise<TorchResult> {
  return runTorch<TorchResult>([
    "--sizes",
    sizes.join(","),
    "--warmup",
    String(timing.warmup),
    "--repeats",
    String(timing.repeats),
  ]);
}

/**
 * PyTorch's training figures with peer-figures.md's thread settings: 1 torch thread and
 * OpenBLAS's default 2 for the MLP (GEMM-bound), 2 torch threads and 1 OpenBLAS thread for the
 * CNN and the convs. Two subprocesses, one after the other.
 */
async function benchTorchTrain(): Promise<TorchTrainResult> {
  const mlp = await runTorch<TorchTrainResult>(["--mode", "train", "--workloads", "mlp"]);
  const conv = await runTorch<TorchTrainResult>(
    ["--mode", "train", "--workloads", "cnn,conv", "--threads", "2"],
    { OPENBLAS_NUM_THREADS: "1" },
  );
  const parts = [mlp, conv];
  const failed = parts.filter((p) => !p.available).map((p) => p.reason);
  const ok = parts.filter((p): p is TorchTrainResult => p.available);
  if (!ok.length) return { available: false, reason: failed.join("; ") };
  return {
    available: true,
    reason: failed.length ? failed.join("; ") : undefined,
    version: ok[0].version,
    rows: ok.flatMap((p) => p.rows ?? []),
  };
}

/**
 * A row from another bench as `{name, value, unit}`; `{name, ms: 12.3}`-style rows (one numeric
 * field named after its unit) are accepted too. Null when the row has neither form.
 */
function toExtraRow(v: unknown): ExtraRow | null {
  if (typeof v !== "object" || v === null) return null;
  const r = v as Record<string, unknown>;
  if (typeof r.name !== "string") return null;
  if (typeof r.value === "number" && typeof r.unit === "string") {
    return { name: r.name, value: r.value, unit: r.unit };
  }
  const numeric = Object.entries(r).filter(([, x]) => typeof x === "number");
  if (numeric.length !== 1) return null;
  return { name: r.name, value: numeric[0][1] as number, unit: numeric[0][0] };
}

/**
 * Runs `exportName` from a sibling bench module if the file exists. Imported dynamically so this
 * harness runs before those modules are written (bench/ is never `deno compile`d, where dynamic
 * imports would not be embedded).
 */
async function runExtra(file: string, exportName: string): Promise<ExtraResult | null> {
  const url = new URL(`./${file}`, import.meta.url);
  if (!(await exists(url))) return null;
  try {
    const mod = await import(url.href);
    const fn = mod[exportName];
    if (typeof fn !== "function") {
      return { module: file, rows: [], note: `${file} does not export ${exportName}()` };
    }
    const got: unknown = await fn();
    const rows = Array.isArray(got) ? got.map(toExtraRow) : [null];
    if (rows.some((r) => r === null)) {
      return {
        module: file,
        rows: [],
        note: `${exportName}() should return {name, value, unit}[], got ${JSON.stringify(got)}`
          .slice(0, 300),
      };
    }
    return { module: file, rows: rows as ExtraRow[] };
  } catch (e) {
    return { module: file, rows: [], note: `${exportName}() failed: ${e}` };
  }
}

const fmt = (x: number | undefined, digits = 2): string =>
  x === undefined ? "-" : x >= 100 ? x.toFixed(0) : x.toFixed(digits);

function matmulTable(
  sizes: number[],
  lumen: MatmulRow[],
  tfjs: TfjsResult,
  torch: TorchResult,
): string {
  const tfName = tfjs.available ? `TF.js ${tfjs.backend === "webgpu" ? "WebGPU" : "CPU"}` : "TF.js";
  const head = `| n | lumen GFLOP/s | ${tfName} GFLOP/s | PyTorch CPU GFLOP/s | lumen ms | ` +
    `${tfName} ms | PyTorch ms |`;
  const lines = [head, "|---:|---:|---:|---:|---:|---:|---:|"];
  const at = (rows: MatmulRow[] | undefined, n: number) => rows?.find((r) => r.size === n);
  for (const n of sizes) {
    const l = at(lumen, n), t = at(tfjs.matmul, n), p = at(torch.matmul, n);
    lines.push(
      `| ${n} | ${fmt(l?.gflops)} | ${fmt(t?.gflops)} | ${fmt(p?.gflops)} | ` +
        `${fmt(l?.medianMs, 1)} | ${fmt(t?.medianMs, 1)} | ${fmt(p?.medianMs, 1)} |`,
    );
  }
  return lines.join("\n");
}

/**
 * peer-figures.md's published figures (same kind of machine), for reference beside our run:
 * TF.js WebGPU / jax-js WebGPU / PyTorch CPU. They do not say how often the loss was read, so they
 * sit on the "read after N steps" rows.
 */
const PUBLISHED: Record<string, string> = {
  [TRAIN_ROWS.mlp]: "335-339 / 1211 / 41k-50k",
  [TRAIN_ROWS.cnn]: "30-35 / 130 / 2412",
  [TRAIN_ROWS.conv1]: "272 / 108 / 3.8",
  [TRAIN_ROWS.conv2]: "1248 / 370 / 7.8",
};

/** One table of training rows in `unit`, lumen beside its peers and the published figures. */
function trainTable(
  unit: string,
  lumen: ExtraRow[],
  tfjs: TfjsTrainResult,
  torch: TorchTrainResult,
): string {
  const tfName = tfjs.backend === "cpu" ? "TF.js CPU" : "TF.js WebGPU";
  const lines = [
    `| work | lumen | ${tfName} | PyTorch CPU | published TF.js WebGPU / jax-js WebGPU / ` +
    `PyTorch |`,
    "|---|---:|---:|---:|---:|",
  ];
  const value = (rows: ExtraRow[] | undefined, name: string): string =>
    fmt(rows?.find((r) => r.name === name)?.value, unit === "ms" ? 1 : 2);
  for (const r of lumen.filter((r) => r.unit === unit)) {
    lines.push(
      `| ${r.name} | ${value(lumen, r.name)} | ${value(tfjs.rows, r.name)} | ` +
        `${value(torch.rows, r.name)} | ${PUBLISHED[r.name] ?? "-"} |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const opts = parseArgs(Deno.args);
  const device = getDevice();
  const started = new Date().toISOString();
  const header = [
    `# lumen bench`,
    "",
    `- adapter: ${device.info.description} (${device.info.backend})`,
    `- date: ${started}`,
    `- deno ${Deno.version.deno}, v8 ${Deno.version.v8}, ${Deno.build.os}/${Deno.build.arch}`,
  ];
  if (runs(opts, "matmul")) {
    header.push(
      `- matmul: square f32 on random inputs, product + readback, median of ` +
        `${opts.timing.repeats} after ${opts.timing.warmup} warm-up runs`,
    );
  }
  console.log(header.join("\n"));

  const skipped = (part: string) => `skipped (${opts.only ? "--only" : `--skip ${part}`})`;
  let matmul:
    | { lumen: MatmulRow[]; dispatch: DispatchRow; tfjs: TfjsResult; torch: TorchResult }
    | null = null;
  if (runs(opts, "matmul")) {
    const lumen = await benchLumenMatmul(opts.sizes, opts.timing);
    const dispatch: DispatchRow = await benchDispatch(100, 1024, { warmup: 2, repeats: 5 });
    const tfjs: TfjsResult = runs(opts, "tfjs")
      ? await benchTfjsMatmul(opts.sizes, opts.timing)
      : { available: false, note: skipped("tfjs") };
    const torch: TorchResult = runs(opts, "torch")
      ? await benchTorch(opts.sizes, opts.timing)
      : { available: false, reason: skipped("torch") };
    matmul = { lumen, dispatch, tfjs, torch };
  }

  const extras: ExtraResult[] = [];
  if (runs(opts, "extra")) {
    for (const [file, fn] of [["config_bench.ts", "benchConfig"], ["data_bench.ts", "benchData"]]) {
      const r = await runExtra(file, fn);
      if (r) extras.push(r);
    }
  }

  // Training last: its TF.js CNN step is ~2 s, the longest part of the run.
  const progress = (line: string) => console.error(`  ${line}`);
  let train: { lumen: ExtraRow[]; tfjs: TfjsTrainResult; torch: TorchTrainResult } | null = null;
  if (runs(opts, "train")) {
    const lumenTrain = await benchTrain(progress);
    const tfjsTrain: TfjsTrainResult = runs(opts, "tfjs")
      ? await benchTfjsTrain(progress)
      : { available: false, note: skipped("tfjs") };
    const torchTrain: TorchTrainResult = runs(opts, "torch")
      ? await benchTorchTrain()
      : { available: false, reason: skipped("torch") };
    train = { lumen: lumenTrain, tfjs: tfjsTrain, torch: torchTrain };
  }
  const fit: FitResult[] | null = runs(opts, "fit") ? await benchFit(progress) : null;

  const out: string[] = [];
  if (matmul) {
    const { lumen, dispatch, tfjs, torch } = matmul;
    out.push("", "## Matmul", "", matmulTable(opts.sizes, lumen, tfjs, torch), "");
    if (tfjs.available) {
      out.push(
        `- TF.js ${tfjs.version}, backend ${tfjs.backend}${tfjs.note ? ` (${tfjs.note})` : ""}`,
      );
    } else out.push(`- TF.js not measured: ${tfjs.note}`);
    if (torch.available) {
      out.push(
        `- PyTorch ${torch.version}, ${torch.threads} torch thread(s), BLAS threads default`,
      );
    } else out.push(`- PyTorch not measured: ${torch.reason}`);
    out.push(
      "",
      "## Dispatch overhead (lumen)",
      "",
      "| work | median ms | per op |",
      "|---|---:|---:|",
      `| ${dispatch.ops} elementwise ops on ${dispatch.elements} elements, then one read | ` +
        `${fmt(dispatch.medianMs, 1)} | ${fmt(dispatch.perOpUs, 0)} us |`,
    );
  }
  for (const e of extras) {
    out.push("", `## ${e.module}`, "");
    if (e.note) out.push(`- ${e.note}`);
    if (e.rows.length) {
      out.push("| measure | value | unit |", "|---|---:|---|");
      for (const r of e.rows) out.push(`| ${r.name} | ${fmt(r.value)} | ${r.unit} |`);
    }
  }
  if (train) {
    const t = train;
    out.push(
      "",
      "## Training steps, samples/s (batch 64, Adam 1e-3, softmax cross-entropy)",
      "",
      trainTable("samples/s", t.lumen, t.tfjs, t.torch),
      "",
      "## Conv fwd+bwd (dX, dW), ms (3x3, padding 1; readback of dX and dW included)",
      "",
      trainTable("ms", t.lumen, t.tfjs, t.torch),
      "",
    );
    if (t.tfjs.available) {
      out.push(
        `- TF.js ${t.tfjs.version}, backend ${t.tfjs.backend}${
          t.tfjs.note ? ` (${t.tfjs.note})` : ""
        }`,
      );
    } else out.push(`- TF.js not measured: ${t.tfjs.note}`);
    if (t.torch.available) {
      out.push(
        `- PyTorch ${t.torch.version}: MLP with 1 torch thread + 2 OpenBLAS threads, CNN and ` +
          `convs with 2 torch threads + 1 OpenBLAS thread${
            t.torch.reason ? ` (partly failed: ${t.torch.reason})` : ""
          }`,
      );
    } else out.push(`- PyTorch not measured: ${t.torch.reason}`);
  }
  if (fit) {
    out.push(
      "",
      "## Trainer.fit over a bare step loop (one epoch of synthetic 28x28 images, batch 64, " +
        "Adam 1e-3)",
      "",
      fitTable(fit),
      "",
      `- ${FIT_TIMING.rounds} interleaved rounds of each arm after ${FIT_TIMING.warmup} ` +
        "warm-up; bare loop reads the loss every 50 steps, fit logs every 50 steps into a " +
        "CSVLogger (bench/fit_bench.ts)",
    );
  }
  console.log(out.join("\n"));

  if (opts.json) {
    const figures = {
      date: started,
      adapter: device.info.description,
      backend: device.info.backend,
      deno: Deno.version.deno,
      timing: opts.timing,
      matmul: matmul && { lumen: matmul.lumen, tfjs: matmul.tfjs, torch: matmul.torch },
      dispatch: matmul?.dispatch ?? null,
      extras,
      train,
      fit,
    };
    await Deno.writeTextFile(opts.json, JSON.stringify(figures, null, 2) + "\n");
    console.log(`\nwrote ${opts.json}`);
  }
}

if (import.meta.main) {
  await main();
  // TF.js keeps its WebGPU device alive; exit explicitly once everything is written.
  Deno.exit(0);
}
