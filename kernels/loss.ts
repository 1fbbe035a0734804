/**
 * Fused cross-entropy over logits viewed as [outer, C, inner] (rows = outer * inner). Forward, a
 * row's log-sum-exp (online), NLL term and label-smoothing term come from one pass over the row:
 * by one thread per row, or for rows longer than LONG_ROW classes by one workgroup per row (each
 * thread a stride of the row, the partial sums combined in shared memory). One kernel reduces the
 * rows, unless the batch is small enough for one workgroup to compute every row and reduce them
 * in the same dispatch. One kernel writes the whole logit gradient (softmax - smoothed one-hot,
 * scaled by the output gradient).
 *
 * Per-row statistics live in one buffer `stats` of [4, rows]:
 *   0: the row's loss (0 for ignored rows),
 *   1: the row's weight w[target] (0 for ignored rows; the mean's denominator),
 *   2: the row's log-sum-exp (for the backward pass),
 *   3: class targets: the sum of the class weights; probability targets: sum_j w_j q_j.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex, literal } from "./_grid.ts";
import { LONG_ROW, ROW_WG, tree } from "./_row_reduce.ts";

/** How a cross-entropy's rows are reduced. */
export type CrossEntropyReduction = "mean" | "sum" | "none";

/** A cross-entropy's shape and options, baked into its kernels. */
export interface CrossEntropySpec {
  /** Product of the dims before the class dim. */
  outer: number;
  /** Number of classes. */
  classes: number;
  /** Product of the dims after the class dim. */
  inner: number;
  labelSmoothing: number;
  /** Targets: int32 class indices (`ignoreIndex` applies) or float32 probabilities. */
  probTarget: boolean;
  ignoreIndex: number;
  hasWeight: boolean;
}

const WG = 64;
const REDUCE_WG = 256;
/** Most logits one workgroup reads to compute and reduce every row in one dispatch. */
const FUSED_REDUCE_MAX = 1 << 16;

const NEG_INF = literal(-Infinity);

function specKey(s: CrossEntropySpec): string {
  return `${s.outer}|${s.classes}|${s.inner}|${s.labelSmoothing}|${s.probTarget}|` +
    `${s.ignoreIndex}|${s.hasWeight}`;
}

/** Bindings shared by the kernels: logits, [target], optional weight. */
function inputBindings(s: CrossEntropySpec, withTarget = true): { decl: string; next: number } {
  const lines = [`@group(0) @binding(0) var<storage, read> logits: array<f32>;`];
  let b = 1;
  if (withTarget) {
    const type = s.probTarget ? "f32" : "i32";
    lines.push(`@group(0) @binding(${b++}) var<storage, read> tgt: array<${type}>;`);
  }
  if (s.hasWeight) lines.push(`@group(0) @binding(${b++}) var<storage, read> weight: array<f32>;`);
  lines.push(`fn w(j: u32) -> f32 { return ${s.hasWeight ? "weight[j]" : "1.0"}; }`);
  return { decl: lines.join("\n"), next: b };
}

/** Whether each row gets a workgroup (long rows). */
function isLong(s: CrossEntropySpec): boolean {
  return s.classes > LONG_ROW;
}

/**
 * Whether `crossEntropyForwardKernel` also reduces the rows for `reduction` (one workgroup computes
 * every row, then their sum): short rows, a reduction, and few logits in all (at least one row).
 * Bind the reduce output after the stats then, and skip `crossEntropyReduceKernel`.
 */
export function crossEntropyFusesReduce(
  s: CrossEntropySpec,
  reduction: CrossEntropyReduction,
): boolean {
  // No rows: the stats are empty and launch dispatches nothing, so the reduce kernel writes 0/0.
  const rows = s.outer * s.inner;
  return reduction !== "none" && !isLong(s) && rows > 0 && rows * s.classes <= FUSED_REDUCE_MAX;
}

/**
 * WGSL helpers of the forward: `visit` folds logit j of the row at `base` into a row's running
 * max, sum of exponentials and the weighted sums; `finish` turns them into the row's loss and
 * weight, writes the row's stats and returns (loss, weight).
 */
function rowHelpers(s: CrossEntropySpec): string {
  const rows = s.outer * s.inner;
  const c = s.classes, inner = s.inner, eps = s.labelSmoothing;
  const keep = literal(1 - eps), share = literal(eps / c);
  // acc and aux are sum_j w_j q_j x_j and sum_j w_j q_j (probability targets), or sum_j w_j x_j
  // and sum_j w_j (class targets; acc only feeds the smoothing term, left out without one so
  // that -inf logits of masked classes do not turn the loss into NaN).
  const perClass = s.probTarget
    ? `let q = ${keep} * tgt[base + j * ${inner}u] + ${share};
  let wq = w(j) * q;
  (*p).aux += wq;
  (*p).acc += wq * x;`
    : `(*p).aux += w(j);${eps > 0 ? "\n  (*p).acc += w(j) * x;" : ""}`;
  const smoothing = eps > 0 ? ` + ${share} * (aux * lse - acc)` : "";
  const rowLoss = s.probTarget
    // -sum_j w_j q_j (x_j - lse)
    ? `loss = aux * lse - acc;`
    : `let t = tgt[r];
  if (t == ${s.ignoreIndex}) {
    loss = 0.0;
    wt = 0.0;
  } else if (t < 0 || t >= ${c}) {
    // An out-of-range class cannot raise an error on the device: make it visible as NaN.
    loss = bitcast<f32>(0x7fc00000u);
    wt = loss;
  } else {
    wt = w(u32(t));
    let nll = lse - logits[base + u32(t) * ${inner}u];
    // Smoothing term: sum_j w_j (lse - x_j) = aux * lse - acc.
    loss = ${keep} * wt * nll${smoothing};
  }`;
  return `struct Partial { m: f32, total: f32, acc: f32, aux: f32 }
fn rowBase(r: u32) -> u32 { return (r / ${inner}u) * ${c * inner}u + r % ${inner}u; }
// Online log-sum-exp: the running sum is rescaled whenever the running max grows; -inf logits
// add nothing (exp(-inf - -inf) would be NaN while every logit so far is -inf).
fn visit(p: ptr<function, Partial>, base: u32, j: u32) {
  let x = logits[base + j * ${inner}u];
  if (x > (*p).m) {
    (*p).total = (*p).total * exp((*p).m - x) + 1.0;
    (*p).m = x;
  } else if (x > ${NEG_INF}) {
    (*p).total += exp(x - (*p).m);
  }
  ${perClass}
}
fn finish(r: u32, base: u32, m: f32, total: f32, acc: f32, aux: f32) -> vec2<f32> {
  let lse = m + log(total);
  var loss = 0.0;
  var wt = 1.0;
  ${rowLoss}
  stats[r] = loss;
  stats[${rows}u + r] = wt;
  stats[${2 * rows}u + r] = lse;
  stats[${3 * rows}u + r] = aux;
  return vec2<f32>(loss, wt);
}
fn rowStats(r: u32) -> vec2<f32> {
  let base = rowBase(r);
  var p = Partial(${NEG_INF}, 0.0, 0.0, 0.0);
  for (var j = 0u; j < ${c}u; j++) { visit(&p, base, j); }
  return finish(r, base, p.m, p.total, p.acc, p.aux);
}`;
}

/** WGSL of the mean's denominator and the reduce output's two writes, from lsum/wsum slot 0. */
function reduceWrites(s: CrossEntropySpec, reduction: "mean" | "sum"): string {
  const rows = s.outer * s.inner;
  const denom = reduction === "sum" ? "1.0" : s.probTarget ? `${rows}.0` : "wsum[0]";
  return `let d = ${denom};
    out[0] = ${reduction === "sum" ? "lsum[0]" : "lsum[0] / d"};
    out[1] = d;`;
}

/**
 * Forward: bind logits, target, [weight], then the stats output ([4, rows]) and, when
 * `crossEntropyFusesReduce(s, reduction)`, the reduce output ([2], as
 * `crossEntropyReduceKernel`'s).
 */
export function crossEntropyForwardKernel(
  s: CrossEntropySpec,
  reduction: CrossEntropyReduction = "none",
): KernelSpec {
  const rows = s.outer * s.inner;
  const { decl, next } = inputBindings(s);
  const fused = crossEntropyFusesReduce(s, reduction);
  const long = isLong(s);
  const workgroups = fused
    ? [1, 1, 1] as [number, number, number]
    : long
    ? grid1d(rows, 1)
    : grid1d(rows, WG);
  let body: string;
  if (fused) {
    body = `${reduceShared()}
@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  var a = 0.0;
  var b = 0.0;
  for (var r = lid; r < ${rows}u; r += ${REDUCE_WG}u) {
    let v = rowStats(r);
    a += v.x;
    b += v.y;
  }
  ${reduceTree()}
  if (lid == 0u) {
    ${reduceWrites(s, reduction as "mean" | "sum")}
  }
}`;
  } else if (long) {
    body = `var<workgroup> sm: array<f32, ${ROW_WG}>;
var<workgroup> st: array<f32, ${ROW_WG}>;
var<workgroup> sa: array<f32, ${ROW_WG}>;
var<workgroup> sx: array<f32, ${ROW_WG}>;
// A partial sum of exponentials relative to max m, moved to max mm (an empty one stays 0).
fn rescale(t: f32, m: f32, mm: f32) -> f32 { return select(t * exp(m - mm), 0.0, t == 0.0); }
@compute @workgroup_size(${ROW_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = ${groupIndex(workgroups)};
  let valid = r < ${rows}u;
  let base = rowBase(r);
  var p = Partial(${NEG_INF}, 0.0, 0.0, 0.0);
  if (valid) {
    for (var j = lid; j < ${s.classes}u; j += ${ROW_WG}u) { visit(&p, base, j); }
  }
  sm[lid] = p.m;
  st[lid] = p.total;
  sa[lid] = p.acc;
  sx[lid] = p.aux;
  ${
      tree(
        ROW_WG,
        `let mm = max(sm[lid], sm[lid + k]);
      st[lid] = rescale(st[lid], sm[lid], mm) + rescale(st[lid + k], sm[lid + k], mm);
      sm[lid] = mm;
      sa[lid] += sa[lid + k];
      sx[lid] += sx[lid + k];`,
      )
    }
  if (valid && lid == 0u) { _ = finish(r, base, sm[0], st[0], sa[0], sx[0]); }
}`;
  } else {
    body = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (r >= ${rows}u) { return; }
  _ = rowStats(r);
}`;
  }
  const outs = [`@group(0) @binding(${next}) var<storage, read_write> stats: array<f32>;`];
  if (fused) outs.push(`@group(0) @binding(${next + 1}) var<storage, read_write> out: array<f32>;`);
  const source = () => `${decl}\n${outs.join("\n")}\n${rowHelpers(s)}\n${body}\n`;
  const variant = fused ? `fused-${reduction}` : long ? "wg" : "thread";
  return { key: `ce_fwd|${variant}|${specKey(s)}`, workgroups, source };
}

/** WGSL of the reduce's shared arrays. */
function reduceShared(): string {
  return `var<workgroup> lsum: array<f32, ${REDUCE_WG}>;
var<workgroup> wsum: array<f32, ${REDUCE_WG}>;`;
}

/** WGSL storing each thread's (a, b) and summing them into lsum[0], wsum[0]. */
function reduceTree(): string {
  return `lsum[lid] = a;
  wsum[lid] = b;
  ${tree(REDUCE_WG, "lsum[lid] += lsum[lid + k];\n      wsum[lid] += wsum[lid + k];")}`;
}

/**
 * Reduces the rows' losses in one workgroup: bind the stats, then the output [2] = (loss, the
 * mean's denominator). The denominator is the sum of the rows' target weights for class targets
 * (torch's weighted mean; all rows ignored gives 0/0 = NaN as in torch), the row count for
 * probability targets, and 1 for "sum".
 */
export function crossEntropyReduceKernel(
  s: CrossEntropySpec,
  reduction: "mean" | "sum",
): KernelSpec {
  const rows = s.outer * s.inner;
  const source = () =>
    `@group(0) @binding(0) var<storage, read> stats: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
${reduceShared()}
@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  var a = 0.0;
  var b = 0.0;
  for (var r = lid; r < ${rows}u; r += ${REDUCE_WG}u) {
    a += stats[r];
    b += stats[${rows}u + r];
  }
  ${reduceTree()}
  if (lid == 0u) {
    ${reduceWrites(s, reduction)}
  }
}
`;
  return { key: `ce_reduce|${reduction}|${specKey(s)}`, workgroups: [1, 1, 1], source };
}

/**
 * Backward: bind logits, target, [weight], stats, the output gradient (one per row for "none",
 * a scalar otherwise), [the reduce output for "mean"], then the logit gradient. With `wrtTarget`
 * (probability targets only) the target is not bound and the kernel writes the target's gradient
 * instead: (1 - s) w_j (lse - x_j), scaled by the output gradient.
 */
export function crossEntropyBackwardKernel(
  s: CrossEntropySpec,
  reduction: CrossEntropyReduction,
  wrtTarget = false,
): KernelSpec {
  if (wrtTarget && !s.probTarget) throw new Error("Class-index targets have no gradient");
  const rows = s.outer * s.inner;
  const n = rows * s.classes;
  const workgroups = grid1d(n, 256);
  const { decl, next } = inputBindings(s, !wrtTarget);
  const c = s.classes, inner = s.inner, eps = s.labelSmoothing;
  const keep = literal(1 - eps), share = literal(eps / c);
  const extra = [`@group(0) @binding(${next}) var<storage, read> stats: array<f32>;`];
  extra.push(`@group(0) @binding(${next + 1}) var<storage, read> gout: array<f32>;`);
  let b = next + 2;
  if (reduction === "mean") {
    extra.push(`@group(0) @binding(${b++}) var<storage, read> reduced: array<f32>;`);
  }
  extra.push(`@group(0) @binding(${b}) var<storage, read_write> dx: array<f32>;`);
  const scale = reduction === "none"
    ? "gout[r]"
    : reduction === "sum"
    ? "gout[0]"
    : "gout[0] / reduced[1]";
  const lse = `stats[${2 * rows}u + r]`;
  let body: string;
  if (wrtTarget) {
    // d/dq_j of -sum_k w_k q_k (x_k - lse), with dq_j/dtarget_j = 1 - s.
    body = `dx[e] = g * ${keep} * w(j) * (${lse} - logits[e]);`;
  } else if (s.probTarget) {
    // d/dx_j of -sum_k w_k q_k (x_k - lse) = p_j sum_k w_k q_k - w_j q_j
    body = `let p = exp(logits[e] - ${lse});
  let q = ${keep} * tgt[e] + ${share};
  dx[e] = g * (p * stats[${3 * rows}u + r] - w(j) * q);`;
  } else {
    // NLL part: w_t (p_j - [j == t]); smoothing part: (1/C) sum_k w_k (p_j - [j == k]).
    body = `let t = tgt[r];
  if (t == ${s.ignoreIndex}) {
    dx[e] = 0.0;
    return;
  }
  let p = exp(logits[e] - ${lse});
  let wt = stats[${rows}u + r];
  let onehot = select(0.0, 1.0, u32(t) == j);
  dx[e] = g * (${keep} * wt * (p - onehot) + ${share} * (stats[${3 * rows}u + r] * p - w(j)));`;
  }
  const source = () =>
    `${decl}
${extra.join("\n")}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e = ${groupIndex(workgroups)} * 256u + lid;
  if (e >= ${n}u) { return; }
  let o = e / ${c * inner}u;
  let j = (e / ${inner}u) % ${c}u;
  let r = o * ${inner}u + e % ${inner}u;
  let g = ${scale};
  ${body}
}
`;
  return { key: `ce_bwd|${reduction}|${wrtTarget}|${specKey(s)}`, workgroups, source };
}
