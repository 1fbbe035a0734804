/**
 * lumen's own matmul figures and a correctness sweep of the matmul kernel, used by bench/main.ts
 * and runnable alone while tuning `kernels/matmul.ts`:
 *
 *   deno run -A bench/matmul_bench.ts            # GFLOP/s at 256 / 512 / 1024
 *   deno run -A bench/matmul_bench.ts --kernel   # kernel-only GFLOP/s (k products, one read)
 *   deno run -A bench/matmul_bench.ts --verify   # many shapes against a float64 CPU reference
 *
 * @module
 */
import { flush, rand, type Tensor, tensor } from "../mod.ts";
import { matmulRaw } from "../src/ops/matmul.ts";

/** One matmul measurement. */
export interface MatmulRow {
  /** Side of the square matrices. */
  size: number;
  /** Median wall time of one product plus its readback, in milliseconds. */
  medianMs: number;
  /** 2·n³ / median time. */
  gflops: number;
}

/** Repeats of a timed loop. */
export interface TimingOptions {
  /** Untimed runs first (pipeline compile, buffer pool fill). */
  warmup: number;
  /** Timed runs; the median is reported. */
  repeats: number;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Median time in ms of `once` over `opts.repeats` runs after `opts.warmup` untimed ones; what
 * `once` returns is disposed after the clock stops. Shared by lumen's and TF.js's matmul rows.
 */
export async function medianTime(
  opts: TimingOptions,
  once: () => Promise<{ dispose(): void }>,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < opts.warmup + opts.repeats; i++) {
    const t0 = performance.now();
    const result = await once();
    const dt = performance.now() - t0;
    result.dispose();
    if (i >= opts.warmup) times.push(dt);
  }
  return median(times);
}

/** Square f32 matmul on random inputs, timed from the `matmul` call to the end of `data()`. */
export async function benchLumenMatmul(
  sizes: readonly number[],
  opts: TimingOptions,
): Promise<MatmulRow[]> {
  const rows: MatmulRow[] = [];
  for (const n of sizes) {
    const a = rand([n, n]), b = rand([n, n]);
    await a.data(); // inputs are ready before the clock starts
    await b.data();
    const ms = await medianTime(opts, async () => {
      const c = a.matmul(b);
      await c.data();
      return c;
    });
    a.dispose();
    b.dispose();
    rows.push({ size: n, medianMs: ms, gflops: (2 * n ** 3) / (ms * 1e6) });
  }
  return rows;
}

/** One kernel-only matmul measurement: the time a product adds to a recorded chain of them. */
export interface MatmulKernelRow {
  /** Side of the square matrices. */
  size: number;
  /** Products recorded before the one read in the long chain. */
  products: number;
  /** Milliseconds per product: the slope between a 1-product and a `products`-product chain. */
  msPerProduct: number;
  /** 2·n³ / msPerProduct. */
  gflops: number;
}

/** Products submitted together in a long chain, so the device starts before the chain ends. */
const FLUSH_EVERY = 8;

/** Time in ms of `k` products `a·b` recorded back to back (each freed), then one read. */
async function chain(a: Tensor, b: Tensor, k: number): Promise<number> {
  const t0 = performance.now();
  let c: Tensor | null = null;
  for (let i = 0; i < k; i++) {
    c?.dispose();
    c = a.matmul(b);
    if ((i + 1) % FLUSH_EVERY === 0) flush();
  }
  await c!.data();
  const ms = performance.now() - t0;
  c!.dispose();
  return ms;
}

/**
 * Kernel-only square f32 matmul: the median time of a chain of `k` products then one read, minus
 * that of a single product then one read, over k - 1. The readback floor (~11 ms under Deno,
 * whatever the adapter) and the copy of the result cancel out; what remains is the device time of
 * a product, or the host's cost to record one where that is larger. `k` is picked per size so the
 * chain runs ~`targetMs` (between 3 and 1000 products).
 */
export async function benchLumenMatmulKernel(
  sizes: readonly number[],
  opts: TimingOptions,
  targetMs = 250,
): Promise<MatmulKernelRow[]> {
  const rows: MatmulKernelRow[] = [];
  for (const n of sizes) {
    const a = rand([n, n]), b = rand([n, n]);
    await a.data();
    await b.data();
    for (let i = 0; i < opts.warmup; i++) await chain(a, b, 2);
    // A first guess of the product time, to size the long chain: double a chain until it takes
    // a quarter of the target longer than one product.
    const one = await chain(a, b, 1);
    let probe = 1e-3;
    for (let p = 2; p <= 1024; p *= 2) {
      const extra = (await chain(a, b, p)) - one;
      probe = Math.max(extra / (p - 1), 1e-3);
      if (extra >= targetMs / 4) break;
    }
    const k = Math.min(1000, Math.max(3, Math.round(targetMs / probe)));
    const ones: number[] = [], longs: number[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      ones.push(await chain(a, b, 1));
      longs.push(await chain(a, b, k));
    }
    a.dispose();
    b.dispose();
    const ms = Math.max((median(longs) - median(ones)) / (k - 1), 1e-6);
    rows.push({ size: n, products: k, msPerProduct: ms, gflops: (2 * n ** 3) / (ms * 1e6) });
  }
  return rows;
}

/** Dispatch-overhead measurement: a chain of small elementwise ops followed by one read. */
export interface DispatchRow {
  /** Ops in the chain. */
  ops: number;
  /** Elements per tensor. */
  elements: number;
  /** Median wall time of the chain plus the read, in milliseconds. */
  medianMs: number;
  /** medianMs / ops, in microseconds (includes the one readback, amortised). */
  perOpUs: number;
  /**
   * Microseconds one more op adds: the slope between the median of `ops` and of 10·`ops` ops,
   * each chain then one read, so the readback floor cancels.
   */
  slopeUs: number;
}

/** Wall time in ms of `ops` dependent `x * 1.0001` / `x + 0.5` ops on `x0`, then one read. */
async function opChain(x0: Tensor, ops: number): Promise<number> {
  const t0 = performance.now();
  let x: Tensor = x0;
  for (let i = 0; i < ops; i++) {
    const next: Tensor = i % 2 ? x.add(0.5) : x.mul(1.0001);
    if (x !== x0) x.dispose();
    x = next;
  }
  await x.data();
  const dt = performance.now() - t0;
  x.dispose();
  return dt;
}

/**
 * `ops` dependent `x = x * 1.0001 + 0.5`-style dispatches on a small tensor, then one `data()`;
 * and the same with 10·`ops` ops, for the cost of one more dispatch.
 */
export async function benchDispatch(
  ops: number,
  elements: number,
  opts: TimingOptions,
): Promise<DispatchRow> {
  const x0 = rand([elements]);
  await x0.data();
  const short: number[] = [], long: number[] = [];
  for (let r = 0; r < opts.warmup + opts.repeats; r++) {
    const a = await opChain(x0, ops), b = await opChain(x0, ops * 10);
    if (r >= opts.warmup) [short.push(a), long.push(b)];
  }
  x0.dispose();
  const ms = median(short);
  const slopeUs = ((median(long) - ms) * 1000) / (9 * ops);
  return { ops, elements, medianMs: ms, perOpUs: (ms * 1000) / ops, slopeUs };
}

/** One matmul case of the correctness sweep. */
interface VerifyCase {
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** A deterministic pseudo-random fill (values in [-1, 1)), so failures reproduce. */
function fill(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** C = op(A)·op(B) in float64 on the host, with batch broadcast of size-1 batches. */
function reference(c: VerifyCase, a: Float32Array, b: Float32Array): Float64Array {
  const batch = Math.max(c.batchA, c.batchB);
  const { m, n, k } = c;
  const out = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const oa = (c.batchA === 1 ? 0 : z) * m * k, ob = (c.batchB === 1 ? 0 : z) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) {
          const av = a[oa + (c.transA ? p * m + i : i * k + p)];
          const bv = b[ob + (c.transB ? j * k + p : p * n + j)];
          acc += av * bv;
        }
        out[z * m * n + i * n + j] = acc;
      }
    }
  }
  return out;
}

function verifyCases(): VerifyCase[] {
  const dims: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 5],
    [5, 1, 3],
    [3, 5, 1],
    [2, 3, 4],
    [4, 4, 4],
    [7, 11, 13],
    [13, 17, 1],
    [16, 16, 16],
    [31, 33, 29],
    [32, 32, 32],
    [33, 65, 17],
    [64, 64, 64],
    [64, 64, 128],
    [37, 71, 97],
    [128, 128, 128],
    [67, 129, 131],
    [1, 64, 300],
    [2, 3, 1000],
    [1, 1, 4099],
    [8, 8, 2048],
    [100, 10, 784],
    [61, 257, 8],
    [256, 12, 256],
    [12, 4, 8],
    [36, 20, 12],
    [2, 9, 6],
    [3, 5, 0],
    [72, 136, 64],
  ];
  const cases: VerifyCase[] = [];
  let t = 0;
  for (const [m, n, k] of dims) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        // Rotate the batch layouts over the cases to keep the sweep short.
        const batches: [number, number][] = [[1, 1], [3, 3], [1, 2], [2, 1]];
        const [batchA, batchB] = batches[t++ % batches.length];
        cases.push({ batchA, batchB, m, n, k, transA, transB });
      }
    }
  }
  return cases;
}

/** Runs every sweep case through `matmulRaw`; returns the failures as readable lines. */
export async function verifyMatmul(): Promise<{ cases: number; failures: string[] }> {
  const failures: string[] = [];
  const cases = verifyCases();
  let seed = 1;
  for (const c of cases) {
    const aRows = c.transA ? c.k : c.m, aCols = c.transA ? c.m : c.k;
    const bRows = c.transB ? c.n : c.k, bCols = c.transB ? c.k : c.n;
    const aData = fill(c.batchA * c.m * c.k, seed++);
    const bData = fill(c.batchB * c.k * c.n, seed++);
    const a = tensor(aData, { shape: [c.batchA, aRows, aCols] });
    const b = tensor(bData, { shape: [c.batchB, bRows, bCols] });
    const out = matmulRaw(a, b, { transA: c.transA, transB: c.transB });
    const got = (await out.data()) as Float32Array;
    const want = reference(c, aData, bData);
    const what = `batch ${c.batchA}/${c.batchB} m=${c.m} n=${c.n} k=${c.k} ` +
      `transA=${c.transA} transB=${c.transB}`;
    const batch = Math.max(c.batchA, c.batchB);
    const wantShape = [batch, c.m, c.n].join(",");
    if (out.shape.join(",") !== wantShape) {
      failures.push(`${what}: shape [${out.shape}], expected [${wantShape}]`);
    } else {
      // Sums of k products of values in [-1, 1): the f32 error grows like sqrt(k)·eps.
      const tol = 1e-5 * Math.sqrt(c.k) * 4 + 1e-6;
      let worst = 0, at = -1;
      for (let i = 0; i < want.length; i++) {
        const err = Math.abs(got[i] - want[i]);
        if (!(err <= worst)) [worst, at] = [err, i];
      }
      if (at >= 0 && !(worst <= tol)) {
        failures.push(`${what}: |err| ${worst} at ${at} (got ${got[at]}, want ${want[at]})`);
      }
    }
    a.dispose();
    b.dispose();
    out.dispose();
  }
  return { cases: cases.length, failures };
}

function parseSizes(args: string[]): number[] {
  const i = args.indexOf("--sizes");
  return i >= 0 ? args[i + 1].split(",").map(Number) : [256, 512, 1024];
}

if (import.meta.main) {
  if (Deno.args.includes("--verify")) {
    const { cases, failures } = await verifyMatmul();
    for (const f of failures) console.log(`FAIL ${f}`);
    console.log(`${cases - failures.length}/${cases} matmul cases match the reference`);
    if (failures.length) Deno.exit(1);
  } else if (Deno.args.includes("--kernel")) {
    const r = Deno.args.indexOf("--repeats");
    const repeats = r >= 0 ? Number(Deno.args[r + 1]) : 5;
    const rows = await benchLumenMatmulKernel(parseSizes(Deno.args), { warmup: 2, repeats });
    for (const r of rows) {
      console.log(
        `${r.size}: ${r.gflops.toFixed(1)} GFLOP/s kernel-only ` +
          `(${r.msPerProduct.toFixed(3)} ms/product over ${r.products})`,
      );
    }
  } else {
    const r = Deno.args.indexOf("--repeats");
    const repeats = r >= 0 ? Number(Deno.args[r + 1]) : 5;
    const rows = await benchLumenMatmul(parseSizes(Deno.args), { warmup: 2, repeats });
    for (const r of rows) {
      console.log(`${r.size}: ${r.gflops.toFixed(2)} GFLOP/s (${r.medianMs.toFixed(1)} ms)`);
    }
  }
}
