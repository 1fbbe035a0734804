/**
 * Softmax and log-softmax along one axis of a tensor viewed as [outer, R, inner], forward and
 * backward. Rows up to LONG_ROW elements get one thread each (the max, the sum of exponentials
 * and the writes in three passes over the row); longer rows get one workgroup each, the threads
 * striding over the row and combining their maxima and sums in shared memory, so a few long rows
 * are not a few threads' serial loops.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex, literal } from "./_grid.ts";
import { LONG_ROW, ROW_WG, tree } from "./_row_reduce.ts";

/** A softmax's shape; `log` selects log-softmax. */
export interface SoftmaxSpec {
  outer: number;
  reduced: number;
  inner: number;
  log: boolean;
}

const WG = 64;

/** Whether the spec's rows get a workgroup each. */
function isLong(spec: SoftmaxSpec): boolean {
  return spec.reduced > LONG_ROW;
}

/** Kernel key, grid and WGSL preamble shared by forward and backward. */
interface Layout {
  rows: number;
  long: boolean;
  workgroups: [number, number, number];
  /** Key suffix naming the shape and the variant. */
  key: string;
  /** WGSL opening `main`: `o` the row, `base` its first element, `idx(j)` its element j. */
  head: string;
}

function layout(spec: SoftmaxSpec): Layout {
  const rows = spec.outer * spec.inner;
  const long = isLong(spec);
  const workgroups = long ? grid1d(rows, 1) : grid1d(rows, WG);
  const { reduced: r, inner } = spec;
  const row = long ? `${groupIndex(workgroups)}` : `${groupIndex(workgroups)} * ${WG}u + lid`;
  // A long row's workgroup is out of range as a whole: its threads skip the loops but still
  // reach every barrier.
  const guard = long ? `let valid = o < ${rows}u;` : `if (o >= ${rows}u) { return; }`;
  const head = `fn idx(base: u32, j: u32) -> u32 { return base + j * ${inner}u; }
${long ? `var<workgroup> red: array<f32, ${ROW_WG}>;` : ""}
@compute @workgroup_size(${long ? ROW_WG : WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = ${row};
  ${guard}
  let base = (o / ${inner}u) * ${r * inner}u + o % ${inner}u;`;
  const key = `${spec.outer}|${r}|${inner}|${spec.log}|${long ? "wg" : "thread"}`;
  return { rows, long, workgroups, key, head };
}

/** WGSL looping `body` over the row's elements j: all of them, or this thread's stride. */
function eachElement(long: boolean, r: number, body: string): string {
  return long
    ? `if (valid) { for (var j = lid; j < ${r}u; j += ${ROW_WG}u) { ${body} } }`
    : `for (var j = 0u; j < ${r}u; j++) { ${body} }`;
}

/** Builds the forward kernel; bind the input, then the output (same shape). */
export function softmaxKernel(spec: SoftmaxSpec): KernelSpec {
  const l = layout(spec);
  const r = spec.reduced;
  const each = (body: string) => eachElement(l.long, r, body);
  const combineMax = l.long
    ? `red[lid] = m;
  ${tree(ROW_WG, "red[lid] = max(red[lid], red[lid + k]);")}
  m = red[0];
  workgroupBarrier();`
    : "";
  const combineSum = l.long
    ? `red[lid] = total;
  ${tree(ROW_WG, "red[lid] += red[lid + k];")}
  total = red[0];`
    : "";
  const source = () =>
    `@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
${l.head}
  var m = ${literal(-Infinity)};
  ${each("m = max(m, src[idx(base, j)]);")}
  ${combineMax}
  var total = 0.0;
  ${each("total += exp(src[idx(base, j)] - m);")}
  ${combineSum}
  let logTotal = log(total);
  ${
      each(`let z = src[idx(base, j)] - m;
    dst[idx(base, j)] = ${spec.log ? "z - logTotal" : "exp(z) / total"};`)
    }
}
`;
  return { key: `softmax|${l.key}`, workgroups: l.workgroups, source };
}

/**
 * Builds the backward kernel: one pass sums the row, one writes the input's gradient, for softmax
 * dx = y (g - sum(g y)) and for log-softmax dx = g - exp(y) sum(g). Bind the forward's output y,
 * the output gradient g, then dx (all the same shape).
 */
export function softmaxBackwardKernel(spec: SoftmaxSpec): KernelSpec {
  const l = layout(spec);
  const r = spec.reduced;
  const each = (body: string) => eachElement(l.long, r, body);
  const term = spec.log ? "g[e]" : "g[e] * y[e]";
  const grad = spec.log ? "g[e] - exp(y[e]) * s" : "y[e] * (g[e] - s)";
  const combine = l.long
    ? `red[lid] = s;
  ${tree(ROW_WG, "red[lid] += red[lid + k];")}
  s = red[0];`
    : "";
  const source = () =>
    `@group(0) @binding(0) var<storage, read> y: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
${l.head}
  var s = 0.0;
  ${each(`let e = idx(base, j); s += ${term};`)}
  ${combine}
  ${each(`let e = idx(base, j); dx[e] = ${grad};`)}
}
`;
  return { key: `softmax_bwd|${l.key}`, workgroups: l.workgroups, source };
}
