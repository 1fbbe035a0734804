/**
 * The Trainer's profiler (`profiler: simple`): wall time per action, as Lightning's
 * SimpleProfiler reports it at the end of each stage. WebGPU work is asynchronous, so host times
 * measure recording a step, not its execution on the GPU; the readback waits show where the host
 * waited for the GPU. Below Lightning's table comes a kernel table: each kernel's dispatches and
 * GPU time from WebGPU timestamp queries where the adapter has them (every dispatch then runs in a
 * compute pass of its own, so a profiled run is a little slower), else the counts alone.
 *
 * @module
 */
import {
  hasGpuTimestamps,
  type KernelTime,
  kernelTimes,
  profileKernels,
} from "../ops/kernel_profile.ts";

/** The profiler values `Trainer` accepts (`null`: off). */
export const PROFILER_NAMES: readonly string[] = ["simple"];

/** Times named actions. When off (`enabled` false) it reads no clock and records nothing. */
export interface Profiler {
  /** Whether actions are recorded. */
  readonly enabled: boolean;
  /** A start mark for `stop` (0 without reading the clock when off). */
  start(): number;
  /** Records the time since `mark` under `action`. */
  stop(action: string, mark: number): void;
  /** Starts a stage: clears the records and restarts the stage's wall clock. */
  setup(stage: string): void;
  /** Ends the stage: prints its table to stderr and writes `{stage}-profiler.txt` in `dir`. */
  describe(dir: string): Promise<void>;
}

/** A profiler that does nothing (the default). */
export class PassThroughProfiler implements Profiler {
  /** Always false. */
  readonly enabled = false;
  /** Returns 0. */
  start(): number {
    return 0;
  }
  /** Does nothing. */
  stop(_action: string, _mark: number): void {}
  /** Does nothing. */
  setup(_stage: string): void {}
  /** Does nothing. */
  async describe(_dir: string): Promise<void> {}
}

/**
 * Lightning's SimpleProfiler: every action's mean, call count, total and share of the stage's wall
 * time (Lightning's percentages are relative to the time since the profiler started, so nested
 * actions such as `run_training_epoch` and `run_training_batch` each count in full and the rows
 * do not add up to 100; the `Total` row is the wall time, 100 %).
 */
export class SimpleProfiler implements Profiler {
  /** Always true. */
  readonly enabled = true;
  /** Durations in seconds, by action, in the order actions were first seen. */
  readonly recorded: Map<string, number[]> = new Map();
  #stage = "fit";
  #startedAt = performance.now();

  /** The clock now, in milliseconds. */
  start(): number {
    return performance.now();
  }
  /** Records the seconds since `mark` under `action`. */
  stop(action: string, mark: number): void {
    const seconds = (performance.now() - mark) / 1000;
    const list = this.recorded.get(action);
    if (list) list.push(seconds);
    else this.recorded.set(action, [seconds]);
  }
  /** Clears the records, restarts the wall clock for `stage` and starts timing kernels. */
  setup(stage: string): void {
    this.#stage = stage;
    this.recorded.clear();
    this.#startedAt = performance.now();
    profileKernels(false);
    profileKernels(true);
  }
  /** Lightning's table: header, the `Total` row, then the actions by percentage. */
  summary(): string {
    const total = (performance.now() - this.#startedAt) / 1000;
    const rows = [...this.recorded].map(([action, d]) => {
      const sum = d.reduce((a, b) => a + b, 0);
      return { action, mean: sum / d.length, calls: d.length, sum, per: 100 * sum / total };
    }).sort((a, b) => b.per - a.per);
    let out = `${this.#stage.toUpperCase()} Profiler Report\n`;
    if (rows.length === 0) return out;
    const width = Math.max(...rows.map((r) => r.action.length));
    const row = (action: string, mean: string, calls: string, sum: string, per: string) =>
      `\n|  ${action.padEnd(width)}\t|  ${mean.padEnd(15)}\t|  ${calls.padEnd(15)}\t|  ` +
      `${sum.padEnd(15)}\t|  ${per.padEnd(15)}\t|`;
    const header = row(
      "Action",
      "Mean duration (s)",
      "Num calls",
      "Total time (s)",
      "Percentage %",
    );
    const line = `\n${"-".repeat(expandTabs(header.slice(1)).length)}`;
    const calls = rows.reduce((a, r) => a + r.calls, 0);
    out += line + header + line + row("Total", "-", `${calls}`, pyG5(total), "100 %") + line;
    for (const r of rows) {
      out += row(r.action, pyG5(r.mean), `${r.calls}`, pyG5(r.sum), pyG5(r.per));
    }
    return out + line + "\n";
  }
  /** Prints the tables to stderr and writes them to `dir/{stage}-profiler.txt`. */
  async describe(dir: string): Promise<void> {
    const kernels = await kernelTimes();
    profileKernels(false);
    const text = this.summary() + kernelSummary(this.#stage, kernels, hasGpuTimestamps());
    console.error(text);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/${this.#stage}-profiler.txt`, text);
  }
}

/**
 * The kernel table, in the style of Lightning's: each kernel's dispatches, total and mean GPU time
 * and share of the GPU time, slowest first (counts only, `-` for times, without timestamps).
 */
export function kernelSummary(
  stage: string,
  kernels: readonly KernelTime[],
  timed: boolean,
): string {
  let out = `${stage.toUpperCase()} Kernel Report (${
    timed ? "GPU time from timestamp queries" : "this adapter has no timestamp queries: counts only"
  })\n`;
  if (kernels.length === 0) return out;
  const gpuTotal = kernels.reduce((a, k) => a + (Number.isNaN(k.gpuMs) ? 0 : k.gpuMs), 0);
  const width = Math.max("Kernel".length, ...kernels.map((k) => k.name.length));
  const row = (name: string, calls: string, sum: string, mean: string, per: string) =>
    `\n|  ${name.padEnd(width)}\t|  ${calls.padEnd(15)}\t|  ${sum.padEnd(15)}\t|  ` +
    `${mean.padEnd(15)}\t|  ${per.padEnd(15)}\t|`;
  const header = row(
    "Kernel",
    "Dispatches",
    "GPU time (s)",
    "Mean (ms)",
    "Percentage %",
  );
  const line = `\n${"-".repeat(expandTabs(header.slice(1)).length)}`;
  out += line + header + line;
  for (const k of kernels) {
    const known = timed && !Number.isNaN(k.gpuMs);
    out += row(
      k.name,
      `${k.calls}`,
      known ? pyG5(k.gpuMs / 1000) : "-",
      known ? pyG5(k.gpuMs / k.calls) : "-",
      known && gpuTotal > 0 ? pyG5(100 * k.gpuMs / gpuTotal) : "-",
    );
  }
  return out + line + "\n";
}

/** The profiler for a `profiler` option value (null or undefined: off). */
export function createProfiler(name: string | null | undefined): Profiler {
  if (name === null || name === undefined) return new PassThroughProfiler();
  if (name === "simple") return new SimpleProfiler();
  throw new TypeError(
    `Trainer option 'profiler' must be null or one of: ${PROFILER_NAMES.join(", ")}; got ` +
      JSON.stringify(name),
  );
}

/** Python's `str.expandtabs()` (tab stops every 8 columns). */
function expandTabs(s: string): string {
  let out = "";
  for (const ch of s) {
    if (ch === "\t") out += " ".repeat(8 - (out.length % 8));
    else out += ch;
  }
  return out;
}

/** Python's `f"{x:.5}"`: 5 significant digits, trailing zeros dropped, at least one decimal. */
export function pyG5(x: number): string {
  if (x === 0) return "0.0";
  const exp = Number(x.toExponential(4).split("e")[1]);
  if (exp < -4 || exp >= 5) {
    const [m, e] = x.toExponential(4).split("e");
    const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const fixed = x.toFixed(Math.max(0, 4 - exp));
  const trimmed = fixed.includes(".") ? fixed.replace(/0+$/, "") : fixed;
  return trimmed.endsWith(".") ? `${trimmed}0` : trimmed.includes(".") ? trimmed : `${trimmed}.0`;
}

/** Lightning's snake_case name of a camelCase hook (`onTrainBatchEnd` → `on_train_batch_end`). */
export function hookAction(stateKey: string, hook: string): string {
  return `[Callback]${stateKey}.${hook.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
}

/** `batches`, with the wait for each next batch recorded under `action` when profiling. */
export function profiledBatches<T>(
  profiler: Profiler,
  action: string,
  batches: AsyncIterable<T>,
): AsyncIterable<T> {
  if (!profiler.enabled) return batches;
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it = batches[Symbol.asyncIterator]();
      return {
        async next(): Promise<IteratorResult<T>> {
          const mark = profiler.start();
          const r = await it.next();
          if (!r.done) profiler.stop(action, mark);
          return r;
        },
        async return(value?: unknown): Promise<IteratorResult<T>> {
          return it.return ? await it.return(value) : { done: true, value: undefined as T };
        },
      };
    },
  };
}
