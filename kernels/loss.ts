/**
 * Fused cross-entropy over logits viewed as [outer, C, inner] (rows = outer * inner): one thread
 * per row computes the log-sum-exp online, the NLL term and the label-smoothing term in a single
 * pass; one kernel reduces the rows; one kernel writes the whole logit gradient
 * (softmax - smoothed one-hot, scaled by the output gradient).
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

/** Forward: bind logits, target, [weight], then the stats output ([4, rows]). */
export function crossEntropyForwardKernel(s: CrossEntropySpec): KernelSpec {
  const rows = s.outer * s.inner;
  const workgroups = grid1d(rows, WG);
  const { decl, next } = inputBindings(s);
  const c = s.classes, inner = s.inner, eps = s.labelSmoothing;
  const keep = literal(1 - eps), share = literal(eps / c);
  const perClass = s.probTarget
    ? `let q = ${keep} * tgt[base + j * ${inner}u] + ${share};
      let wq = w(j) * q;
      aux += wq;
      acc += wq * x;`
    : `aux += w(j);
      acc += w(j) * x;`;
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
    loss = ${keep} * wt * nll + ${share} * (aux * lse - acc);
  }`;
  const source = () =>
    `${decl}
@group(0) @binding(${next}) var<storage, read_write> stats: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (r >= ${rows}u) { return; }
  let base = (r / ${inner}u) * ${c * inner}u + r % ${inner}u;
  // Online log-sum-exp: the running sum is rescaled whenever the running max grows.
  var m = ${literal(-Infinity)};
  var total = 0.0;
  var acc = 0.0;
  var aux = 0.0;
  for (var j = 0u; j < ${c}u; j++) {
    let x = logits[base + j * ${inner}u];
    if (x > m) {
      total = total * exp(m - x) + 1.0;
      m = x;
    } else {
      total += exp(x - m);
    }
    ${perClass}
  }
  let lse = m + log(total);
  var loss = 0.0;
  var wt = 1.0;
  ${rowLoss}
  stats[r] = loss;
  stats[${rows}u + r] = wt;
  stats[${2 * rows}u + r] = lse;
  stats[${3 * rows}u + r] = aux;
}
`;
  return { key: `ce_fwd|${specKey(s)}`, workgroups, source };
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
  const denom = reduction === "sum" ? "1.0" : s.probTarget ? `${rows}.0` : "wsum[0]";
  const source = () =>
    `@group(0) @binding(0) var<storage, read> stats: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
var<workgroup> lsum: array<f32, ${REDUCE_WG}>;
var<workgroup> wsum: array<f32, ${REDUCE_WG}>;
@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  var a = 0.0;
  var b = 0.0;
  for (var r = lid; r < ${rows}u; r += ${REDUCE_WG}u) {
    a += stats[r];
    b += stats[${rows}u + r];
  }
  lsum[lid] = a;
  wsum[lid] = b;
  workgroupBarrier();
  for (var k = ${REDUCE_WG / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) {
      lsum[lid] += lsum[lid + k];
      wsum[lid] += wsum[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let d = ${denom};
    out[0] = ${reduction === "sum" ? "lsum[0]" : "lsum[0] / d"};
    out[1] = d;
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
