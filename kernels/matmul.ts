/**
 * Batched matrix multiply C[b] = op(A[b]) · op(B[b]), where op transposes an operand in the loads
 * (no copy). Batch strides of 0 broadcast an operand over the batch.
 *
 * Tuned for llvmpipe/lavapipe, where each invocation is one SIMD lane and every storage load that
 * differs between lanes is a gather: the cost is the number of loads, not the arithmetic. So each
 * thread keeps a block of RM x RN outputs in registers, walks K four steps at a time, and reads an
 * operand as `vec4<f32>` along its contiguous dimension whenever that dimension is a multiple of
 * 4 (one 16-byte load instead of four). Out-of-range rows and columns are clamped on load (their
 * results are computed and dropped) so the inner loop has no branches; stores are guarded only
 * when the shape does not fill the tiles. Shared-memory tiles are not used: on llvmpipe a
 * workgroup barrier is a coroutine switch per lane group and made a tiled kernel ~10x slower.
 *
 * Optional fusions save the dispatches around a product (each costs the host ~50-100 µs on a real
 * GPU): an epilogue adding a bias (one per column of C) then a ReLU, a mask on A's loads
 * (A times (mask > 0): a ReLU's backward applied to the incoming gradient) and the row sums of
 * op(A) written beside C (a bias's gradient computed by the weight-gradient product).
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { ROUND_HALF_WGSL } from "./half.ts";

/** A matmul's shape and operand layouts. */
export interface MatmulSpec {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** A is stored [K, M] (row-major) and read transposed. */
  transA: boolean;
  /** B is stored [N, K] and read transposed. */
  transB: boolean;
  /** Elements between consecutive batch items of A and B (0 = broadcast). */
  batchStrideA: number;
  batchStrideB: number;
  /**
   * Half-precision compute (autocast, needs shader-f16): operands rounded to f16, products in
   * f16, sums in f32, results rounded to f16 (overflow to ±inf, for loss scaling to see) and
   * stored as f32.
   */
  half?: boolean;
  /**
   * Adds a bias [N] to every row of C (F.linear's), after the sum and the f16 rounding; shared by
   * the batch.
   */
  bias?: boolean;
  /** Applies max(y, 0) to each result, after the bias: a following ReLU, fused. */
  relu?: boolean;
  /**
   * Reads op(A) times (mask > 0) elementwise, the mask laid out exactly as A (same shape and batch
   * stride): a ReLU's backward applied to the gradient that A holds.
   */
  maskA?: boolean;
  /**
   * Also writes each row's sum over K of op(A) (after the mask) into a second output [batch, M]:
   * the bias gradient of F.linear beside its weight gradient. Sums are f32 of the unrounded
   * values in the half variant too.
   */
  rowSumA?: boolean;
}

/** The register block and workgroup shape picked for one spec. */
interface Plan {
  /** Rows of C per thread. */
  rm: number;
  /** Columns of C per thread (a multiple of 4: accumulators are vec4 along N). */
  rn: number;
  /** Workgroup size along N (x) and M (y). */
  wx: number;
  wy: number;
  /** Whether A / B are bound as vec4 arrays and read 4 elements per load. */
  vecA: boolean;
  vecB: boolean;
}

function plan(s: MatmulSpec): Plan {
  // 8x8 outputs per thread in 8x8 workgroups measured best on lavapipe at 512-1024 (15 GFLOP/s
  // against 11 for 4x8 and 6 for 4x4); narrow products shrink the block on that side so the
  // clamped, thrown-away rows and columns stay few.
  const rm = s.m >= 8 ? 8 : s.m >= 4 ? 4 : 1;
  const rn = s.n >= 8 ? 8 : 4;
  // vec4 runs along A's contiguous dim (K, or M when transposed), B's (N, or K when transposed).
  const vecA = (s.transA ? s.m % 4 === 0 && rm % 4 === 0 : s.k % 4 === 0) &&
    s.batchStrideA % 4 === 0;
  const vecB = (s.transB ? s.k : s.n) % 4 === 0 && s.batchStrideB % 4 === 0;
  return { rm, rn, wx: 8, wy: 8, vecA, vecB };
}

/**
 * Builds the kernel; bind A, B, [the mask (`maskA`)], [the bias (`bias`)], then C ([batch, M, N])
 * and [the row sums ([batch, M], `rowSumA`)].
 */
export function matmulKernel(spec: MatmulSpec): KernelSpec {
  const p = plan(spec);
  const workgroups: [number, number, number] = [
    Math.ceil(spec.n / (p.rn * p.wx)),
    Math.ceil(spec.m / (p.rm * p.wy)),
    spec.batch,
  ];
  const key = `matmul|${spec.batch}|${spec.m}|${spec.n}|${spec.k}|${spec.transA}|${spec.transB}|` +
    `${spec.batchStrideA}|${spec.batchStrideB}|${p.rm}x${p.rn}|${p.wx}x${p.wy}` +
    (spec.half ? "|f16" : "") + (spec.bias ? "|bias" : "") +
    (spec.relu ? "|relu" : "") + (spec.maskA ? "|maskA" : "") + (spec.rowSumA ? "|rowSumA" : "");
  return { key, workgroups, source: () => matmulSource(spec, p) };
}

const u = (n: number): string => `${n}u`;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * WGSL statements that load a[r][j] = op(A)[row0 + r][k + j] for r < rm, j < steps into lets
 * named `a_r_j` (rows clamped into range), each times (mask > 0) with `maskA`.
 */
function loadA(s: MatmulSpec, p: Plan, steps: number, vec: boolean): string {
  const lines: string[] = [];
  // One vec4 of A at index i (of the vec4 array), masked.
  const vec4At = (i: string): string =>
    s.maskA ? `select(vec4<f32>(0.0), a[${i}], mk[${i}] > vec4<f32>(0.0))` : `a[${i}]`;
  if (vec && steps === 4 && !s.transA) {
    // Row-major A: one vec4 per row covers the four k steps.
    for (const r of range(p.rm)) {
      lines.push(`let av${r} = ${vec4At(`(baseA + rowc${r} * ${u(s.k)} + k) / 4u`)};`);
      for (const j of range(4)) lines.push(`let a_${r}_${j} = av${r}[${j}];`);
    }
  } else if (vec && s.transA) {
    // A stored [K, M]: one vec4 per k step covers four rows (each group start is a multiple of
    // 4 and M % 4 == 0, so the clamped start begins an in-range group of four).
    for (const j of range(steps)) {
      for (const g of range(p.rm / 4)) {
        const at = vec4At(`(baseA + (k + ${u(j)}) * ${u(s.m)} + rowg${g}) / 4u`);
        lines.push(`let av${g}_${j} = ${at};`);
        for (const i of range(4)) lines.push(`let a_${4 * g + i}_${j} = av${g}_${j}[${i}];`);
      }
    }
  } else {
    // Scalar reads (a4/m4 read one element of a vec4-bound operand).
    const read = (arr: string, i: string): string => vec ? `${arr}4(${i})` : `${arr}[${i}]`;
    for (const r of range(p.rm)) {
      for (const j of range(steps)) {
        const idx = s.transA
          ? `baseA + (k + ${u(j)}) * ${u(s.m)} + rowc${r}`
          : `baseA + rowc${r} * ${u(s.k)} + k + ${u(j)}`;
        const value = s.maskA
          ? `select(0.0, ${read("a", idx)}, ${read(vec ? "m" : "mk", idx)} > 0.0)`
          : read("a", idx);
        lines.push(`let a_${r}_${j} = ${value};`);
      }
    }
  }
  return lines.join("\n    ");
}

/** WGSL lets `b_j_q` = op(B)[k + j][col0 + 4q .. +3] as vec4 (columns clamped into range). */
function loadB(s: MatmulSpec, p: Plan, steps: number, vec: boolean): string {
  const lines: string[] = [];
  const groups = p.rn / 4;
  if (vec && !s.transB) {
    // Row-major B: one vec4 per k step and column group (col0 multiple of 4, N % 4 == 0).
    for (const j of range(steps)) {
      for (const q of range(groups)) {
        lines.push(`let b_${j}_${q} = b[(baseB + (k + ${u(j)}) * ${u(s.n)} + colg${q}) / 4u];`);
      }
    }
  } else if (vec && steps === 4 && s.transB) {
    // B stored [N, K]: one vec4 per column covers the four k steps; regroup into rows of B.
    for (const c of range(p.rn)) {
      lines.push(`let bv${c} = b[(baseB + colc${c} * ${u(s.k)} + k) / 4u];`);
    }
    for (const j of range(4)) {
      for (const q of range(groups)) {
        const comps = range(4).map((i) => `bv${4 * q + i}[${j}]`).join(", ");
        lines.push(`let b_${j}_${q} = vec4<f32>(${comps});`);
      }
    }
  } else {
    const at = vec ? "b4(" : "b[";
    const close = vec ? ")" : "]";
    for (const j of range(steps)) {
      for (const q of range(groups)) {
        const comps = range(4).map((i) => {
          const c = `colc${4 * q + i}`;
          const idx = s.transB
            ? `${c} * ${u(s.k)} + k + ${u(j)}`
            : `(k + ${u(j)}) * ${u(s.n)} + ${c}`;
          return `${at}baseB + ${idx}${close}`;
        }).join(", ");
        lines.push(`let b_${j}_${q} = vec4<f32>(${comps});`);
      }
    }
  }
  return lines.join("\n    ");
}

/**
 * WGSL statements accumulating `steps` k steps from the loaded lets (and, with `rowSum`, each
 * row's sum of the loaded A values into `rs_r`).
 */
function accumulate(p: Plan, steps: number, half: boolean, rowSum: boolean): string {
  const lines: string[] = [];
  for (const j of range(steps)) {
    if (rowSum) { for (const r of range(p.rm)) lines.push(`rs${r} += a_${r}_${j};`); }
    // Half: each loaded value is rounded once, then multiplied in f16 and summed in f32.
    if (half) {
      for (const r of range(p.rm)) lines.push(`let h_${r}_${j} = h1(a_${r}_${j});`);
      for (const q of range(p.rn / 4)) lines.push(`let hb_${j}_${q} = h4(b_${j}_${q});`);
    }
    for (const r of range(p.rm)) {
      for (const q of range(p.rn / 4)) {
        lines.push(
          half
            ? `acc${r}_${q} += vec4<f32>(h_${r}_${j} * hb_${j}_${q});`
            : `acc${r}_${q} = fma(vec4<f32>(a_${r}_${j}), b_${j}_${q}, acc${r}_${q});`,
        );
      }
    }
  }
  return lines.join("\n    ");
}

/**
 * WGSL helpers of the half variant: f32 to f16 with overflow to ±inf (WGSL leaves out-of-range
 * conversions undefined, and loss scaling must see overflow), and f32 rounded through f16.
 */
const HALF_HELPERS = `fn h1(x: f32) -> f16 {
  // Beyond the range (inf and NaN included, told by the bits: WGSL may assume finite floats),
  // twice the clamped value overflows to ±inf at run time.
  let c = f16(clamp(x, -65504.0, 65504.0));
  return select(c, c * 2.0h, (bitcast<u32>(x) & 0x7fffffffu) >= 0x477ff000u);
}
fn h4(x: vec4<f32>) -> vec4<f16> { return vec4<f16>(h1(x.x), h1(x.y), h1(x.z), h1(x.w)); }
${ROUND_HALF_WGSL}`;

/** WGSL bindings in the order of `matmulKernel`'s doc, the mask typed as A. */
function bindings(s: MatmulSpec, elemA: string, elemB: string): string {
  const lines = [
    `var<storage, read> a: array<${elemA}>;`,
    `var<storage, read> b: array<${elemB}>;`,
  ];
  if (s.maskA) lines.push(`var<storage, read> mk: array<${elemA}>;`);
  if (s.bias) lines.push(`var<storage, read> bias: array<f32>;`);
  lines.push(`var<storage, read_write> c: array<f32>;`);
  if (s.rowSumA) lines.push(`var<storage, read_write> rsum: array<f32>;`);
  return lines.map((l, i) => `@group(0) @binding(${i}) ${l}`).join("\n");
}

/** WGSL of the value stored for accumulator element `acc` in column `col`. */
function epilogue(s: MatmulSpec, acc: string, col: string): string {
  const rounded = s.half ? `r1(${acc})` : acc;
  const value = s.bias ? `${rounded} + bias[${col}]` : rounded;
  // max(y, y - y) as the ReLU op writes it (NaN stays NaN).
  return s.relu ? `relu1(${value})` : value;
}

function matmulSource(s: MatmulSpec, p: Plan): string {
  const groups = p.rn / 4;
  const tileM = p.rm * p.wy, tileN = p.rn * p.wx;
  const fitM = s.m % tileM === 0, fitN = s.n % tileN === 0;
  const k4 = s.k - (s.k % 4);
  const elemA = p.vecA ? "vec4<f32>" : "f32";
  const elemB = p.vecB ? "vec4<f32>" : "f32";
  // Scalar reads from a vec4-bound operand (K tails, unaligned paths).
  const scalarReaders = [
    p.vecA ? `fn a4(i: u32) -> f32 { return a[i / 4u][i % 4u]; }` : "",
    p.vecB ? `fn b4(i: u32) -> f32 { return b[i / 4u][i % 4u]; }` : "",
    p.vecA && s.maskA ? `fn m4(i: u32) -> f32 { return mk[i / 4u][i % 4u]; }` : "",
    s.relu ? `fn relu1(y: f32) -> f32 { return max(y, y - y); }` : "",
  ].join("\n");
  const rowLets = range(p.rm).map((r) => `let rowc${r} = min(row0 + ${u(r)}, ${u(s.m - 1)});`);
  const colLets = range(p.rn).map((c) => `let colc${c} = min(col0 + ${u(c)}, ${u(s.n - 1)});`);
  const rowGroupLets = range(p.rm >> 2).map((g) =>
    `let rowg${g} = min(row0 + ${u(4 * g)}, ${u(Math.max(s.m - 4, 0))});`
  );
  // Column groups for vec4 loads of row-major B: clamp the group start, keeping it 4-aligned.
  const colGroupLets = range(groups).map((q) =>
    `let colg${q} = min(col0 + ${u(4 * q)}, ${u(Math.max(s.n - 4, 0))});`
  );
  const accDecl = range(p.rm).flatMap((r) =>
    range(groups).map((q) => `var acc${r}_${q} = vec4<f32>(0.0);`)
  );
  if (s.rowSumA) accDecl.push(...range(p.rm).map((r) => `var rs${r} = 0.0;`));
  const mainLoop = k4 === 0 ? "" : `for (var k = 0u; k < ${u(k4)}; k += 4u) {
    ${loadA(s, p, 4, p.vecA)}
    ${loadB(s, p, 4, p.vecB)}
    ${accumulate(p, 4, !!s.half, !!s.rowSumA)}
  }`;
  const tailLoop = k4 === s.k ? "" : `for (var k = ${u(k4)}; k < ${u(s.k)}; k++) {
    ${loadA(s, p, 1, p.vecA)}
    ${loadB(s, p, 1, p.vecB)}
    ${accumulate(p, 1, !!s.half, !!s.rowSumA)}
  }`;
  const stores: string[] = [];
  for (const r of range(p.rm)) {
    const rowGuard = fitM ? "" : `if (row0 + ${u(r)} < ${u(s.m)}) `;
    const body: string[] = [];
    for (const c of range(p.rn)) {
      const colGuard = fitN ? "" : `if (col0 + ${u(c)} < ${u(s.n)}) `;
      const row = `row0 + ${u(r)}`, col = `col0 + ${u(c)}`;
      const value = epilogue(s, `acc${r}_${c >> 2}[${c & 3}]`, col);
      body.push(`${colGuard}{ c[baseC + (${row}) * ${u(s.n)} + ${col}] = ${value}; }`);
    }
    stores.push(`${rowGuard}{\n    ${body.join("\n    ")}\n  }`);
  }
  if (s.rowSumA) {
    // The threads of the first column block hold every k of their rows: they write the sums.
    const sums = range(p.rm).map((r) =>
      `${fitM ? "" : `if (row0 + ${u(r)} < ${u(s.m)}) `}{ rsum[wid.z * ${u(s.m)} + row0 + ${
        u(r)
      }] = rs${r}; }`
    );
    stores.push(`if (wid.x == 0u && lid.x == 0u) {\n    ${sums.join("\n    ")}\n  }`);
  }
  // Layout "auto" needs every binding used; with K = 0 no loop reads the operands.
  const touch = s.k === 0 ? `_ = &a;\n  _ = &b;${s.maskA ? "\n  _ = &mk;" : ""}` : "";
  const half = s.half ? `enable f16;\n` : "";
  return `${half}${bindings(s, elemA, elemB)}
${scalarReaders}
${s.half ? HALF_HELPERS : ""}

@compute @workgroup_size(${p.wx}, ${p.wy})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = (wid.y * ${u(p.wy)} + lid.y) * ${u(p.rm)};
  let col0 = (wid.x * ${u(p.wx)} + lid.x) * ${u(p.rn)};
  let baseA = wid.z * ${u(s.batchStrideA)};
  let baseB = wid.z * ${u(s.batchStrideB)};
  let baseC = wid.z * ${u(s.m * s.n)};
  ${rowLets.join("\n  ")}
  ${colLets.join("\n  ")}
  ${rowGroupLets.join("\n  ")}
  ${colGroupLets.join("\n  ")}
  ${accDecl.join("\n  ")}
  ${mainLoop}
  ${tailLoop}
  ${touch}
  ${stores.join("\n  ")}
}
`;
}
