/**
 * The benchmark harness (`deno task bench`): in one process on one adapter, square f32 matmul
 * GFLOP/s for lumen, TensorFlow.js (WebGPU, or its CPU backend when WebGPU will not start) and
 * PyTorch CPU (a `/usr/bin/python3` subprocess), lumen's dispatch overhead, and the config and
 * data benches when their modules exist. Prints markdown; `--json out.json` writes the figures.
 *
 *   deno run -A bench/main.ts [--json out.json] [--sizes 256,512,1024] [--repeats 5]
 *                             [--skip tfjs,torch,extra]
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

/** What the PyTorch subprocess printed, or why it did not run. */
interface TorchResult {
  available: boolean;
  reason?: string;
  version?: string;
  threads?: number;
  matmul?: MatmulRow[];
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
}

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
  return {
    json: value("--json"),
    sizes,
    timing: { warmup: 2, repeats },
    skip: new Set((value("--skip") ?? "").split(",").filter(Boolean)),
  };
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

async function benchTorch(sizes: number[], timing: TimingOptions): Promise<TorchResult> {
  if (!(await exists(TORCH_PYTHON))) {
    return { available: false, reason: `${TORCH_PYTHON} does not exist` };
  }
  const cmd = new Deno.Command(TORCH_PYTHON, {
    args: [
      TORCH_SCRIPT.pathname,
      "--sizes",
      sizes.join(","),
      "--warmup",
      String(timing.warmup),
      "--repeats",
      String(timing.repeats),
    ],
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
    return JSON.parse(text) as TorchResult;
  } catch {
    return { available: false, reason: `peer_torch.py printed no JSON: ${text.slice(0, 200)}` };
  }
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
    `- matmul: square f32 on random inputs, product + readback, median of ${opts.timing.repeats} ` +
    `after ${opts.timing.warmup} warm-up runs`,
  ];
  console.log(header.join("\n"));

  const lumen = await benchLumenMatmul(opts.sizes, opts.timing);
  const dispatch: DispatchRow = await benchDispatch(100, 1024, { warmup: 2, repeats: 5 });

  const tfjs: TfjsResult = opts.skip.has("tfjs")
    ? { available: false, note: "skipped (--skip tfjs)" }
    : await benchTfjsMatmul(opts.sizes, opts.timing);
  const torch: TorchResult = opts.skip.has("torch")
    ? { available: false, reason: "skipped (--skip torch)" }
    : await benchTorch(opts.sizes, opts.timing);

  const extras: ExtraResult[] = [];
  if (!opts.skip.has("extra")) {
    for (const [file, fn] of [["config_bench.ts", "benchConfig"], ["data_bench.ts", "benchData"]]) {
      const r = await runExtra(file, fn);
      if (r) extras.push(r);
    }
  }

  const out: string[] = ["", "## Matmul", "", matmulTable(opts.sizes, lumen, tfjs, torch), ""];
  if (tfjs.available) {
    out.push(
      `- TF.js ${tfjs.version}, backend ${tfjs.backend}${tfjs.note ? ` (${tfjs.note})` : ""}`,
    );
  } else out.push(`- TF.js not measured: ${tfjs.note}`);
  if (torch.available) {
    out.push(`- PyTorch ${torch.version}, ${torch.threads} torch thread(s), BLAS threads default`);
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
  for (const e of extras) {
    out.push("", `## ${e.module}`, "");
    if (e.note) out.push(`- ${e.note}`);
    if (e.rows.length) {
      out.push("| measure | value | unit |", "|---|---:|---|");
      for (const r of e.rows) out.push(`| ${r.name} | ${fmt(r.value)} | ${r.unit} |`);
    }
  }
  console.log(out.join("\n"));

  if (opts.json) {
    const figures = {
      date: started,
      adapter: device.info.description,
      backend: device.info.backend,
      deno: Deno.version.deno,
      timing: opts.timing,
      matmul: { lumen, tfjs, torch },
      dispatch,
      extras,
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
