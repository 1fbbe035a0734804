/**
 * The matmul skeleton shared by the convolution kernels ("implicit GEMM"): C[z] = A[z] · B[z] where
 * the operands are never materialized. Each kernel supplies WGSL functions that compute the
 * convolution coordinates of an operand element on the fly:
 *
 * - `setupColumn(z, j, col)`: once per thread for each of its columns j (col < N, clamped); stores
 *   what does not depend on k (batch offsets, window origins) in `var<private>` arrays of
 *   `MAX_COLUMNS` entries indexed by j.
 * - `setupK(z, k)`: once per step of the reduction; decodes k into kernel or output coordinates.
 * - `loadA(z, row, k) -> f32` and `loadB(z, j) -> f32` (column j's value at the current k). Both
 *   must be branch-free where they can (select a clamped index, then select the value): each
 *   divergent branch costs a SIMD lane group on lavapipe.
 * - `store(z, split, row, col, value)`.
 *
 * A thread computes a block of up to 8x8 outputs in registers, unrolled like kernels/matmul.ts;
 * the block and the workgroup's shape adapt to M so that convolutions with few output channels
 * (depthwise: M = 1) do not compute rows only to drop them. The z dimension runs `zCount`
 * independent products (conv groups), each optionally split along K into `splits` partial sums
 * (the caller adds them up), so a long reduction (weight gradients sum over batch and pixels)
 * spreads over many workgroups.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { MAX_GROUPS } from "./_grid.ts";

/** Largest number of columns per thread: the size of the loaders' per-column state arrays. */
export const MAX_COLUMNS = 8;

/** The product's sizes and the WGSL that defines its operands. */
export interface ConvGemmParts {
  /** Cache key of the whole kernel (must identify the WGSL below). */
  key: string;
  m: number;
  n: number;
  k: number;
  /** Independent products along the grid's z (one per conv group). */
  zCount: number;
  /** Partial sums per product along K (1 = no split). */
  splits: number;
  /** Binding declarations. */
  bindings: string;
  /** `var<private>` state and the functions setupColumn, setupK, loadA, loadB, store. */
  functions: string;
}

/** The register block and workgroup shape picked for one product. */
interface Plan {
  /** Rows and columns of C per thread (rn is a multiple of 4: accumulators are vec4 along N). */
  rm: number;
  rn: number;
  /** Workgroup size along N (x) and M (y); always 64 threads. */
  wx: number;
  wy: number;
}

/**
 * On lavapipe each invocation is a SIMD lane and the cost is mostly loads (gathers), so a thread
 * keeps a large block of C (up to 8x8) in registers: rm + rn loads per k step for rm * rn fmas.
 * Small M (depthwise convs have M = 1) shrinks the block and the workgroup along M so that few
 * rows are computed only to be thrown away.
 */
function plan(m: number, n: number): Plan {
  const rm = m >= 8 ? 8 : m >= 4 ? 4 : m >= 2 ? 2 : 1;
  const rn = n >= 8 ? 8 : 4;
  let wy = 1;
  while (wy < 8 && wy * rm < m) wy *= 2;
  return { rm, rn, wx: 64 / wy, wy };
}

/** How many K-splits give enough workgroups to keep the cores busy without tiny chunks. */
export function chooseSplits(m: number, n: number, k: number, zCount: number): number {
  const p = plan(m, n);
  const tiles = Math.ceil(m / (p.rm * p.wy)) * Math.ceil(n / (p.rn * p.wx)) * zCount;
  const wanted = Math.ceil(32 / tiles);
  return Math.max(1, Math.min(wanted, Math.floor(k / 256), 64));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Builds the kernel. Bindings and store targets are the caller's. */
export function convGemmKernel(parts: ConvGemmParts): KernelSpec {
  const p = plan(parts.m, parts.n);
  const tileRows = p.rm * p.wy, tileCols = p.rn * p.wx;
  const rowTiles = Math.ceil(parts.m / tileRows), colTiles = Math.ceil(parts.n / tileCols);
  // Tiles are numbered row-tile-major and folded over x and y when there are too many for x.
  const tiles = rowTiles * colTiles;
  const gx = Math.max(1, Math.min(tiles, MAX_GROUPS)), gy = Math.ceil(tiles / gx);
  const zs = parts.zCount * parts.splits;
  if (gy > MAX_GROUPS || zs > MAX_GROUPS) {
    throw new Error(`Convolution is too large for one dispatch: ${tiles} tiles, ${zs} groups`);
  }
  const key = `${parts.key}|s${parts.splits}|${p.rm}x${p.rn}|${p.wx}x${p.wy}`;
  return { key, workgroups: [gx, gy, zs], source: () => gemmSource(parts, p, gx, colTiles) };
}

function gemmSource(s: ConvGemmParts, p: Plan, gx: number, colTiles: number): string {
  const chunk = Math.ceil(s.k / s.splits);
  const groups = p.rn / 4;
  // Out-of-range rows and columns of a partial tile are clamped to the last valid one: their
  // loads stay in bounds, the inner loop has no branches, and the results are never stored.
  const rowLets = range(p.rm).map((r) => `let rowc${r} = min(row0 + ${r}u, ${s.m - 1}u);`);
  const setups = range(p.rn).map((c) =>
    `setupColumn(z, ${c}u, min(col0 + ${c}u, ${Math.max(s.n - 1, 0)}u));`
  );
  const accDecl = range(p.rm).flatMap((r) =>
    range(groups).map((q) => `var acc${r}_${q} = vec4<f32>(0.0);`)
  );
  const loadsB = range(groups).map((q) =>
    `let b${q} = vec4<f32>(${range(4).map((i) => `loadB(z, ${4 * q + i}u)`).join(", ")});`
  );
  const fmas = range(p.rm).flatMap((r) => [
    `let a${r} = vec4<f32>(loadA(z, rowc${r}, k));`,
    ...range(groups).map((q) => `acc${r}_${q} = fma(a${r}, b${q}, acc${r}_${q});`),
  ]);
  const stores = range(p.rm).map((r) => {
    const cols = range(p.rn).map((c) =>
      `if (col0 + ${c}u < ${s.n}u) { store(z, split, row0 + ${r}u, col0 + ${c}u, acc${r}_${
        c >> 2
      }[${c & 3}]); }`
    );
    return `if (row0 + ${r}u < ${s.m}u) {\n    ${cols.join("\n    ")}\n  }`;
  });
  return `${s.bindings}
${s.functions}
@compute @workgroup_size(${p.wx}, ${p.wy})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile = wid.y * ${gx}u + wid.x;
  let z = wid.z / ${s.splits}u;
  let split = wid.z % ${s.splits}u;
  let row0 = (tile / ${colTiles}u) * ${p.rm * p.wy}u + lid.y * ${p.rm}u;
  let col0 = (tile % ${colTiles}u) * ${p.rn * p.wx}u + lid.x * ${p.rn}u;
  // No barriers below: threads with nothing to store leave at once.
  if (row0 >= ${s.m}u || col0 >= ${s.n}u) { return; }
  ${rowLets.join("\n  ")}
  ${setups.join("\n  ")}
  ${accDecl.join("\n  ")}
  let kStart = split * ${chunk}u;
  let kEnd = min(kStart + ${chunk}u, ${s.k}u);
  for (var k = kStart; k < kEnd; k++) {
    setupK(z, k);
    ${loadsB.join("\n    ")}
    ${fmas.join("\n    ")}
  }
  ${stores.join("\n  ")}
}
`;
}
