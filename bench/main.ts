/**
 * The benchmark harness (`deno task bench`): in one process on one adapter, square f32 matmul
 * GFLOP/s (kernel-only and readback-included) and training steps (MLP and CNN at batch 64 and
 * 512, with dispatches, submits and pipelines per step; conv fwd+bwd) for lumen, TensorFlow.js
 * (WebGPU, or its CPU backend when WebGPU will not start) and PyTorch (a python subprocess: on
 * CUDA when its torch has it, else the CPU), lumen's dispatch overhead, the config and data
 * benches when their modules exist, the cost of `Trainer.fit` over a bare step loop
 * (bench/fit_bench.ts), and fusion (compile mode) against the plain ops (bench/fusion_bench.ts).
 * Prints markdown; `--json out.json` writes the figures.
 *
 *   deno run -A --config bench/deno.json bench/main.ts [--json out.json] [--repeats 5]
 *     [--sizes 256,512,1024] [--skip tfjs,torch,extra,train,fit,fusion] [--only fit]
 *
 * Matmul sizes default to 256..4096 on a real GPU and 256..1024 on a CPU adapter (llvmpipe,
 * lavapipe, SwiftShader; bench/adapter.ts); the TF.js peer measures the sizes up to 1024.
 * Kernel-only means k products recorded then one read, GFLOP/s from the slope over k, so the
 * readback floor (~11 ms under Deno, on llvmpipe and on an H100 alike) is excluded.
 *
 * PyTorch: `/usr/bin/python3`, then `python3` on PATH; the first whose torch has CUDA, else the
 * first that imports torch at all.
 *
 * Parts: `matmul` (with the dispatch overhead), `extra`, `train`, `fit`, `fusion`, and the peers `tfjs` and
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
import { deviceInfo } from "../mod.ts";
import { isRealGpu } from "./adapter.ts";
import {
  benchDispatch,
  benchLumenMatmul,
  benchLumenMatmulKernel,
  type DispatchRow,
  type MatmulKernelRow,
  type MatmulRow,
  type TimingOptions,
} from "./matmul_bench.ts";
import { benchTfjsMatmul, type TfjsResult } from "./peer_tfjs.ts";
import { benchTfjsTrain, type TfjsTrainResult } from "./peer_tfjs_train.ts";
import {
  benchTrain,
  type StepStats,
  TFJS_TRAIN_TIMING,
  TRAIN_ROWS,
  type TrainResult,
} from "./train_bench.ts";
import { benchFit, FIT_TIMING, type FitResult, fitTable } from "./fit_bench.ts";
import { benchFusion, type FusionRow, fusionTable } from "./fusion_bench.ts";

/** A PyTorch matmul row: readback-included as `MatmulRow`, kernel-only beside it. */
interface TorchMatmulRow extends MatmulRow {
  /** ms per product from the slope of a chain of products (one sync at the end). */
  kernelMs: number;
  kernelGflops: number;
}

/** What a python with torch says about itself (`peer_torch.py --mode probe`). */
interface TorchProbe {
  available: boolean;
  reason?: string;
  version?: string;
  /** The python executable and its version. */
  python?: string;
  /** Whether torch runs on CUDA. */
  cuda?: boolean;
  /** "cpu", or "cuda (<GPU name>)". */
  device?: string;
}

/** What the PyTorch subprocess printed, or why it did not run. */
interface TorchResult extends TorchProbe {
  threads?: number;
  matmul?: TorchMatmulRow[];
}

/** What the PyTorch subprocesses printed in train mode, or why they did not run. */
interface TorchTrainResult extends TorchProbe {
  rows?: (ExtraRow & { stepsPerRead?: number })[];
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
  /** `--sizes`, or null for the adapter's default. */
  sizes: number[] | null;
  timing: TimingOptions;
  skip: Set<string>;
  /** The parts to run, when `--only` was given. */
  only: Set<string> | null;
}

/** The parts `--skip` and `--only` name. */
const PARTS = ["matmul", "extra", "train", "fit", "fusion", "tfjs", "torch"];

function parseArgs(args: string[]): Options {
  const value = (flag: string): string | null => {
    const i = args.indexOf(flag);
    if (i < 0) return null;
    if (i + 1 >= args.length) throw new Error(`${flag} needs a value`);
    return args[i + 1];
  };
  const sizes = value("--sizes")?.split(",").map(Number) ?? null;
  if (sizes?.some((s) => !Number.isInteger(s) || s < 1)) {
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

/** Matmul sizes on a real GPU and on a CPU adapter. */
const GPU_SIZES = [256, 512, 1024, 2048, 4096];
const CPU_SIZES = [256, 512, 1024];
/** The TF.js matmul peer stops here (its readback-included protocol, as before). */
const TFJS_MAX_SIZE = 1024;

/** Pythons tried for the PyTorch peer, in order; `python3` is looked up on PATH. */
const TORCH_PYTHONS = ["/usr/bin/python3", "python3"];
const TORCH_SCRIPT = new URL("./peer_torch.py", import.meta.url);

async function exists(path: string | URL): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs bench/peer_torch.py under `python` with `args`; parses the one JSON object it prints. */
async function runTorch<T extends { available: boolean; reason?: string }>(
  python: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<T | { available: false; reason: string }> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(python, {
      args: [TORCH_SCRIPT.pathname, ...args],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    return { available: false, reason: `${python} could not be run: ${e}` };
  }
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-1)[0];
    return { available: false, reason: `${python} peer_torch.py exited with ${out.code}: ${err}` };
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return { available: false, reason: `peer_torch.py printed no JSON: ${text.slice(0, 200)}` };
  }
}

let torchPick: Promise<{ python: string; probe: TorchProbe } | { reason: string }> | null = null;

/**
 * The python the PyTorch peer runs under: the first of TORCH_PYTHONS whose torch has CUDA, else
 * the first that imports torch; or why none would do. Probed once per process.
 */
function pickTorchPython(): Promise<{ python: string; probe: TorchProbe } | { reason: string }> {
  torchPick ??= (async () => {
    const probes: { python: string; probe: TorchProbe }[] = [];
    for (const python of TORCH_PYTHONS) {
      probes.push({ python, probe: await runTorch<TorchProbe>(python, ["--mode", "probe"]) });
    }
    const ok = probes.filter((p) => p.probe.available);
    const pick = ok.find((p) => p.probe.cuda) ?? ok[0];
    if (pick) return pick;
    return { reason: probes.map((p) => p.probe.reason).join("; ") };
  })();
  return torchPick;
}

async function benchTorch(sizes: number[], timing: TimingOptions): Promise<TorchResult> {
  const pick = await pickTorchPython();
  if ("reason" in pick) return { available: false, reason: pick.reason };
  return runTorch<TorchResult>(pick.python, [
    "--sizes",
    sizes.join(","),
    "--warmup",
    String(timing.warmup),
    "--repeats",
    String(timing.repeats),
  ]);
}

/**
 * PyTorch's training figures. On CUDA one subprocess runs every workload. On the CPU,
 * peer-figures.md's thread settings: 1 torch thread and OpenBLAS's default 2 for the MLP
 * (GEMM-bound), 2 torch threads and 1 OpenBLAS thread for the CNN and the convs; two
 * subprocesses, one after the other.
 */
async function benchTorchTrain(): Promise<TorchTrainResult> {
  const pick = await pickTorchPython();
  if ("reason" in pick) return { available: false, reason: pick.reason };
  const run = (args: string[], env?: Record<string, string>) =>
    runTorch<TorchTrainResult>(pick.python, ["--mode", "train", ...args], env);
  const parts = pick.probe.cuda ? [await run(["--workloads", "mlp,cnn,conv"])] : [
    await run(["--workloads", "mlp"]),
    await run(["--workloads", "cnn,conv", "--threads", "2"], { OPENBLAS_NUM_THREADS: "1" }),
  ];
  const failed = parts.filter((p) => !p.available).map((p) => p.reason);
  const ok = parts.filter((p): p is TorchTrainResult => p.available);
  if (!ok.length) return { available: false, reason: failed.join("; ") };
  return {
    ...ok[0],
    available: true,
    reason: failed.length ? failed.join("; ") : undefined,
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

/** Whose figures the matmul table shows. */
interface MatmulFigures {
  lumen: MatmulRow[];
  kernel: MatmulKernelRow[];
  tfjs: TfjsResult;
  torch: TorchResult;
}

function matmulTable(sizes: number[], m: MatmulFigures): string {
  const tfName = m.tfjs.available
    ? `TF.js ${m.tfjs.backend === "webgpu" ? "WebGPU" : "CPU"}`
    : "TF.js";
  const ptName = torchName(m.torch);
  const head = `| n | lumen kernel-only GFLOP/s | lumen readback GFLOP/s | ${ptName} kernel-only ` +
    `GFLOP/s | ${ptName} readback GFLOP/s | ${tfName} readback GFLOP/s | lumen ms/product | ` +
    `lumen readback ms | ${ptName} readback ms |`;
  const lines = [head, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"];
  const at = <R extends { size: number }>(rows: R[] | undefined, n: number) =>
    rows?.find((r) => r.size === n);
  for (const n of sizes) {
    const l = at(m.lumen, n), k = at(m.kernel, n), t = at(m.tfjs.matmul, n);
    const p = at(m.torch.matmul, n);
    lines.push(
      `| ${n} | ${fmt(k?.gflops)} | ${fmt(l?.gflops)} | ${fmt(p?.kernelGflops)} | ` +
        `${fmt(p?.gflops)} | ${fmt(t?.gflops)} | ${fmt(k?.msPerProduct, 3)} | ` +
        `${fmt(l?.medianMs, 1)} | ${fmt(p?.medianMs, 1)} |`,
    );
  }
  return lines.join("\n");
}

/** "PyTorch CUDA" or "PyTorch CPU" (or plain "PyTorch" when it did not run). */
function torchName(t: TorchProbe): string {
  if (!t.available) return "PyTorch";
  return t.cuda ? "PyTorch CUDA" : "PyTorch CPU";
}

/** The line saying which torch ran where, or why not. */
function torchLine(t: TorchProbe, detail: string): string {
  if (!t.available) return `- PyTorch not measured: ${t.reason}`;
  return `- PyTorch ${t.version} on ${t.device} (${t.python})${detail ? `: ${detail}` : ""}` +
    (t.reason ? ` (partly failed: ${t.reason})` : "");
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

/** One table of training rows in `unit`, lumen beside its peers (and published figures). */
function trainTable(
  unit: string,
  lumen: ExtraRow[],
  tfjs: TfjsTrainResult,
  torch: TorchTrainResult,
  published: boolean,
): string {
  const tfName = tfjs.backend === "cpu" ? "TF.js CPU" : "TF.js WebGPU";
  const pub = published ? " published TF.js WebGPU / jax-js WebGPU / PyTorch |" : "";
  const lines = [
    `| work | lumen | ${tfName} | ${torchName(torch)} |${pub}`,
    `|---|---:|---:|---:|${published ? "---:|" : ""}`,
  ];
  const value = (rows: ExtraRow[] | undefined, name: string): string =>
    fmt(rows?.find((r) => r.name === name)?.value, unit === "ms" ? 1 : 2);
  for (const r of lumen.filter((r) => r.unit === unit)) {
    lines.push(
      `| ${r.name} | ${value(lumen, r.name)} | ${value(tfjs.rows, r.name)} | ` +
        `${value(torch.rows, r.name)} |${published ? ` ${PUBLISHED[r.name] ?? "-"} |` : ""}`,
    );
  }
  return lines.join("\n");
}

/** lumen's device work per training step. */
function statsTable(stats: StepStats[]): string {
  const lines = [
    "| work | steps per read | dispatches/step | submits/step | new pipelines: warm-up / timed |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const s of stats) {
    lines.push(
      `| ${s.name} | ${s.stepsPerRead} | ${fmt(s.dispatches, 1)} | ${fmt(s.submits, 2)} | ` +
        `${s.warmupPipelines} / ${s.timedPipelines} |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const opts = parseArgs(Deno.args);
  const info = deviceInfo();
  const realGpu = isRealGpu(info.description);
  const sizes = opts.sizes ?? (realGpu ? GPU_SIZES : CPU_SIZES);
  const started = new Date().toISOString();
  const header = [
    `# lumen bench`,
    "",
    `- adapter: ${info.description} (${info.backend}; ` +
    `${realGpu ? "a real GPU" : "a CPU adapter"})`,
    `- date: ${started}`,
    `- deno ${Deno.version.deno}, v8 ${Deno.version.v8}, ${Deno.build.os}/${Deno.build.arch}`,
  ];
  if (runs(opts, "matmul")) {
    header.push(
      `- matmul: square f32 on random inputs. Readback: one product + reading the whole result, ` +
        `median of ${opts.timing.repeats} after ${opts.timing.warmup} warm-up runs. ` +
        `Kernel-only: k products recorded then one read, minus one product then one read, ` +
        `over k - 1 (medians of ${opts.timing.repeats}), so the readback floor cancels`,
    );
  }
  console.log(header.join("\n"));

  const skipped = (part: string) => `skipped (${opts.only ? "--only" : `--skip ${part}`})`;
  let matmul: (MatmulFigures & { dispatch: DispatchRow }) | null = null;
  const progress = (line: string) => console.error(`  ${line}`);
  if (runs(opts, "matmul")) {
    const lumen = await benchLumenMatmul(sizes, opts.timing);
    const kernel = await benchLumenMatmulKernel(sizes, opts.timing);
    for (const k of kernel) {
      progress(`lumen matmul ${k.size}: ${fmt(k.gflops)} GFLOP/s kernel-only (k = ${k.products})`);
    }
    const dispatch: DispatchRow = await benchDispatch(100, 1024, { warmup: 2, repeats: 5 });
    const tfjs: TfjsResult = runs(opts, "tfjs")
      ? await benchTfjsMatmul(sizes.filter((n) => n <= TFJS_MAX_SIZE), opts.timing)
      : { available: false, note: skipped("tfjs") };
    const torch: TorchResult = runs(opts, "torch")
      ? await benchTorch(sizes, opts.timing)
      : { available: false, reason: skipped("torch") };
    matmul = { lumen, kernel, dispatch, tfjs, torch };
  }

  const extras: ExtraResult[] = [];
  if (runs(opts, "extra")) {
    for (const [file, fn] of [["config_bench.ts", "benchConfig"], ["data_bench.ts", "benchData"]]) {
      const r = await runExtra(file, fn);
      if (r) extras.push(r);
    }
  }

  // Training last: its TF.js CNN step is ~2 s on llvmpipe, the longest part of the run.
  let train: { lumen: TrainResult; tfjs: TfjsTrainResult; torch: TorchTrainResult } | null = null;
  if (runs(opts, "train")) {
    const lumenTrain = await benchTrain(realGpu, progress);
    const tfjsTrain: TfjsTrainResult = runs(opts, "tfjs")
      ? await benchTfjsTrain(progress)
      : { available: false, note: skipped("tfjs") };
    const torchTrain: TorchTrainResult = runs(opts, "torch")
      ? await benchTorchTrain()
      : { available: false, reason: skipped("torch") };
    train = { lumen: lumenTrain, tfjs: tfjsTrain, torch: torchTrain };
  }
  const fit: FitResult[] | null = runs(opts, "fit") ? await benchFit(progress) : null;
  const fusion: FusionRow[] | null = runs(opts, "fusion") ? await benchFusion() : null;

  const out: string[] = [];
  if (matmul) {
    const { dispatch, tfjs, torch } = matmul;
    out.push("", "## Matmul", "", matmulTable(sizes, matmul), "");
    if (tfjs.available) {
      out.push(
        `- TF.js ${tfjs.version}, backend ${tfjs.backend}, sizes up to ${TFJS_MAX_SIZE}` +
          `${tfjs.note ? ` (${tfjs.note})` : ""}`,
      );
    } else out.push(`- TF.js not measured: ${tfjs.note}`);
    out.push(
      torchLine(
        torch,
        torch.cuda
          ? "FP32 without TF32; readback copies the result to host memory, kernel-only " +
            "synchronizes once after k products (torch.cuda.synchronize)"
          : `${torch.threads} torch thread(s), BLAS threads default`,
      ),
      `- lumen kernel-only products per chain: ${
        matmul.kernel.map((k) => `${k.size}: ${k.products}`).join(", ")
      }`,
    );
    out.push(
      "",
      "## Dispatch overhead (lumen)",
      "",
      "| work | median ms | per op | one more op (slope to 10x the ops) |",
      "|---|---:|---:|---:|",
      `| ${dispatch.ops} elementwise ops on ${dispatch.elements} elements, then one read | ` +
        `${fmt(dispatch.medianMs, 1)} | ${fmt(dispatch.perOpUs, 0)} us | ` +
        `${fmt(dispatch.slopeUs, 1)} us |`,
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
    const torchEvery = t.torch.rows?.find((r) => r.stepsPerRead)?.stepsPerRead;
    out.push(
      "",
      "## Training steps, samples/s (Adam 1e-3, softmax cross-entropy)",
      "",
      trainTable("samples/s", t.lumen.rows, t.tfjs, t.torch, !realGpu),
      "",
      `- N, the steps between loss reads: lumen as in the table below; PyTorch ${
        torchEvery ?? "-"
      }; TF.js ${TFJS_TRAIN_TIMING.mlp.stepsPerRound} (MLP) and ` +
        `${TFJS_TRAIN_TIMING.cnn.stepsPerRound} (CNN), batch 64 only`,
      "",
      "## Device work per training step (lumen, `deviceStats()` over the timed rounds)",
      "",
      statsTable(t.lumen.stats),
      "",
      "## Conv fwd+bwd (dX, dW), ms (3x3, padding 1; readback of dX and dW included)",
      "",
      trainTable("ms", t.lumen.rows, t.tfjs, t.torch, !realGpu),
      "",
    );
    if (t.tfjs.available) {
      out.push(
        `- TF.js ${t.tfjs.version}, backend ${t.tfjs.backend}${
          t.tfjs.note ? ` (${t.tfjs.note})` : ""
        }`,
      );
    } else out.push(`- TF.js not measured: ${t.tfjs.note}`);
    out.push(
      torchLine(
        t.torch,
        t.torch.cuda ? "" : "MLP with 1 torch thread + 2 OpenBLAS threads, CNN and " +
          "convs with 2 torch threads + 1 OpenBLAS thread",
      ),
    );
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
  if (fusion) {
    out.push(
      "",
      "## Fusion (compile mode): plain vs fused, ms and dispatches per chain or SGD step",
      "",
      fusionTable(fusion),
      "",
      "- 5 interleaved rounds after one warm-up each; each round reads its last result once " +
        "(bench/fusion_bench.ts)",
    );
  }
  console.log(out.join("\n"));

  if (opts.json) {
    const figures = {
      date: started,
      adapter: info.description,
      backend: info.backend,
      realGpu,
      deno: Deno.version.deno,
      timing: opts.timing,
      matmul: matmul &&
        { lumen: matmul.lumen, kernel: matmul.kernel, tfjs: matmul.tfjs, torch: matmul.torch },
      dispatch: matmul?.dispatch ?? null,
      extras,
      train,
      fit,
      fusion,
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
