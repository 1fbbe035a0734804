/**
 * TensorFlow.js peer for bench/main.ts. TF.js is a bench-only dependency: it is imported here with
 * `npm:` specifiers, dynamically, so a machine that cannot fetch it still runs the rest of the
 * bench (the column is then skipped with the reason). Run it under bench/deno.json (`--config
 * bench/deno.json`, as `deno task bench` does), whose own lock file bench/deno.lock pins TF.js, so
 * the root deno.lock, and with it a fresh `deno task test`, never downloads it.
 *
 * @module
 */
import { type MatmulRow, medianTime, type TimingOptions } from "./matmul_bench.ts";

/** What the TF.js peer measured, or why it could not. */
export interface TfjsResult {
  /** Whether any backend ran. */
  available: boolean;
  /** "webgpu", or "cpu" when the WebGPU backend would not initialise. */
  backend?: string;
  /** Why WebGPU was not used, or why nothing ran. */
  note?: string;
  /** @tensorflow/tfjs version. */
  version?: string;
  matmul?: MatmulRow[];
}

/** The TF.js module namespace. */
export type Tf = typeof import("npm:@tensorflow/tfjs@^4");

/** Imports TF.js and registers its WebGPU backend. */
export async function loadTf(): Promise<Tf> {
  // Bench-only peers, deliberately kept out of src/deps.ts (lumen does not depend on them).
  // deno-lint-ignore no-import-prefix
  const tf = await import("npm:@tensorflow/tfjs@^4");
  // deno-lint-ignore no-import-prefix
  await import("npm:@tensorflow/tfjs-backend-webgpu@^4");
  return tf;
}

/** Picks WebGPU, falling back to TF.js's CPU backend (named in the result) when it fails. */
export async function pickBackend(tf: Tf): Promise<{ backend: string; note?: string }> {
  let reason = "";
  try {
    if (await tf.setBackend("webgpu")) {
      await tf.ready();
      return { backend: "webgpu" };
    }
    reason = 'tf.setBackend("webgpu") returned false';
  } catch (e) {
    reason = `tf.setBackend("webgpu") threw: ${e instanceof Error ? e.message : e}`;
  }
  await tf.setBackend("cpu");
  await tf.ready();
  return { backend: "cpu", note: `${reason}; measured the TF.js CPU backend instead` };
}

/** TF.js ready on its best backend, or why it could not be imported. */
export type OpenedTf =
  | { available: true; tf: Tf; backend: string; note?: string }
  | { available: false; note: string };

/** Imports TF.js and picks its backend: the shared start of every TF.js bench. */
export async function openTf(): Promise<OpenedTf> {
  let tf: Tf;
  try {
    tf = await loadTf();
  } catch (e) {
    return { available: false, note: `TF.js could not be imported: ${e}` };
  }
  return { available: true, tf, ...(await pickBackend(tf)) };
}

/** Square f32 matmul timed from `tf.matMul` to the end of `data()`, as for lumen. */
export async function benchTfjsMatmul(
  sizes: readonly number[],
  opts: TimingOptions,
): Promise<TfjsResult> {
  const opened = await openTf();
  if (!opened.available) return opened;
  const { tf, backend, note } = opened;
  const matmul: MatmulRow[] = [];
  for (const n of sizes) {
    const a = tf.randomUniform([n, n], 0, 1, "float32", 1);
    const b = tf.randomUniform([n, n], 0, 1, "float32", 2);
    await a.data();
    await b.data();
    const ms = await medianTime(opts, async () => {
      const c = tf.matMul(a, b);
      await c.data();
      return c;
    });
    a.dispose();
    b.dispose();
    matmul.push({ size: n, medianMs: ms, gflops: (2 * n ** 3) / (ms * 1e6) });
  }
  return { available: true, backend, note, version: tf.version.tfjs, matmul };
}
