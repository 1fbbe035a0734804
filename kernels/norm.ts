/**
 * Batch and layer normalisation. Statistics are reduced by one workgroup per channel (batch norm)
 * or per row (layer norm) with a shared-memory tree, in two passes over the data (mean, then the
 * centred sum of squares) so the variance does not suffer E[x²] - E[x]² cancellation.
 *
 * Batch norm views its input as [N, C, S] (S = product of the spatial dims); `stats` is [2, C]
 * holding each channel's mean and 1/sqrt(var + eps). Layer norm views its input as [rows, D];
 * its `stats` is [2, rows] with each row's mean and 1/sqrt(var + eps).
 *
 * @module
 */
import type { KernelSpec } from "../src/device/device.ts";
import { grid1d, groupIndex, literal } from "./_grid.ts";

const TREE_WG = 256;
const ROW_WG = 64;
const EW_WG = 256;

/** A batch norm's shape. */
export interface BatchNormShape {
  n: number;
  c: number;
  s: number;
}

/** WGSL summing `name` (a workgroup array of `size`) into element 0, every thread taking part. */
function treeSum(names: string[], size: number): string {
  const adds = names.map((n) => `${n}[lid] += ${n}[lid + k];`).join(" ");
  return `workgroupBarrier();
  for (var k = ${size / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { ${adds} }
    workgroupBarrier();
  }`;
}

/**
 * WGSL of the two statistics passes over `count` values, `value` being the WGSL of value `e`, read
 * by thread `lid` at e = lid, lid + size, ... (only when `valid`): leaves `mean` in scope and the
 * sum of squared deviations from it in `part[0]` (a workgroup array of `size`).
 */
function centredSums(value: string, count: number, size: number): string {
  return `var acc = 0.0;
  if (valid) {
    for (var e = lid; e < ${count}u; e += ${size}u) { acc += ${value}; }
  }
  part[lid] = acc;
  ${treeSum(["part"], size)}
  let mean = part[0] / ${count}.0;
  workgroupBarrier();
  acc = 0.0;
  if (valid) {
    for (var e = lid; e < ${count}u; e += ${size}u) {
      let d = ${value} - mean;
      acc += d * d;
    }
  }
  part[lid] = acc;
  ${treeSum(["part"], size)}`;
}

/** WGSL opening `main` with one workgroup per item (`name`, below `count` when `valid`). */
function itemPerGroupMain(
  workgroups: readonly [number, number, number],
  size: number,
  name: string,
  count: number,
): string {
  return `@compute @workgroup_size(${size})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let ${name} = ${groupIndex(workgroups)};
  let valid = ${name} < ${count}u;`;
}

/**
 * WGSL opening `main` with one thread per element `i` of an [N, C, S] tensor (returning past the
 * end) and its channel `c`.
 */
function bnElementMain(workgroups: readonly [number, number, number], sh: BatchNormShape): string {
  return `@compute @workgroup_size(${EW_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${groupIndex(workgroups)} * ${EW_WG}u + lid;
  if (i >= ${sh.n * sh.c * sh.s}u) { return; }
  let c = (i / ${sh.s}u) % ${sh.c}u;`;
}

/** Address of element `e` (0..N*S) of channel `c` in an [N, C, S] tensor. */
function bnAddress(sh: BatchNormShape): string {
  return `fn at(e: u32, c: u32) -> u32 {
  return (e / ${sh.s}u) * ${sh.c * sh.s}u + c * ${sh.s}u + e % ${sh.s}u;
}`;
}

/**
 * Batch statistics per channel. Bind x, then (when `updateRunning`) the running mean and running
 * variance, updated in place as torch does (the running variance takes the unbiased estimate),
 * then the stats output [2, C].
 */
export function batchNormStatsKernel(
  sh: BatchNormShape,
  eps: number,
  momentum: number,
  updateRunning: boolean,
): KernelSpec {
  const workgroups = grid1d(sh.c, 1);
  const m = sh.n * sh.s;
  const running = updateRunning
    ? `@group(0) @binding(1) var<storage, read_write> runMean: array<f32>;
@group(0) @binding(2) var<storage, read_write> runVar: array<f32>;`
    : "";
  const update = updateRunning
    ? `runMean[c] = ${literal(1 - momentum)} * runMean[c] + ${literal(momentum)} * mean;
    runVar[c] = ${literal(1 - momentum)} * runVar[c] + ${literal(momentum)} * variance * ${
      literal(m / Math.max(m - 1, 1))
    };`
    : "";
  const source = () =>
    `@group(0) @binding(0) var<storage, read> x: array<f32>;
${running}
@group(0) @binding(${updateRunning ? 3 : 1}) var<storage, read_write> stats: array<f32>;
var<workgroup> part: array<f32, ${TREE_WG}>;
${bnAddress(sh)}
${itemPerGroupMain(workgroups, TREE_WG, "c", sh.c)}
  ${centredSums("x[at(e, c)]", m, TREE_WG)}
  if (lid == 0u && valid) {
    let variance = part[0] / ${m}.0;
    stats[c] = mean;
    stats[${sh.c}u + c] = 1.0 / sqrt(variance + ${literal(eps)});
    ${update}
  }
}
`;
  return {
    key: `bn_stats|${sh.n}|${sh.c}|${sh.s}|${eps}|${momentum}|${updateRunning}`,
    workgroups,
    source,
  };
}

/** y = (x - mean) * invstd * weight + bias. Bind x, stats, [weight], [bias], then y. */
export function batchNormApplyKernel(
  sh: BatchNormShape,
  hasWeight: boolean,
  hasBias: boolean,
): KernelSpec {
  const total = sh.n * sh.c * sh.s;
  const workgroups = grid1d(total, EW_WG);
  let b = 2;
  const decl = [
    `@group(0) @binding(0) var<storage, read> x: array<f32>;`,
    `@group(0) @binding(1) var<storage, read> stats: array<f32>;`,
  ];
  if (hasWeight) decl.push(`@group(0) @binding(${b++}) var<storage, read> weight: array<f32>;`);
  if (hasBias) decl.push(`@group(0) @binding(${b++}) var<storage, read> bias: array<f32>;`);
  decl.push(`@group(0) @binding(${b}) var<storage, read_write> y: array<f32>;`);
  const source = () =>
    `${decl.join("\n")}
${bnElementMain(workgroups, sh)}
  let xhat = (x[i] - stats[c]) * stats[${sh.c}u + c];
  y[i] = xhat${hasWeight ? " * weight[c]" : ""}${hasBias ? " + bias[c]" : ""};
}
`;
  return { key: `bn_apply|${sh.n}|${sh.c}|${sh.s}|${hasWeight}|${hasBias}`, workgroups, source };
}

/**
 * Per-channel sums for the backward pass. Bind x, the output gradient g, stats, then two outputs
 * [C]: sum(g * xhat) (the weight's gradient) and sum(g) (the bias's gradient).
 */
export function batchNormGradSumsKernel(sh: BatchNormShape): KernelSpec {
  const workgroups = grid1d(sh.c, 1);
  const m = sh.n * sh.s;
  const source = () =>
    `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> sumGXhat: array<f32>;
@group(0) @binding(4) var<storage, read_write> sumG: array<f32>;
var<workgroup> pa: array<f32, ${TREE_WG}>;
var<workgroup> pb: array<f32, ${TREE_WG}>;
${bnAddress(sh)}
${itemPerGroupMain(workgroups, TREE_WG, "c", sh.c)}
  var a = 0.0;
  var b = 0.0;
  if (valid) {
    let mean = stats[c];
    let invstd = stats[${sh.c}u + c];
    for (var e = lid; e < ${m}u; e += ${TREE_WG}u) {
      let k = at(e, c);
      a += g[k] * (x[k] - mean) * invstd;
      b += g[k];
    }
  }
  pa[lid] = a;
  pb[lid] = b;
  ${treeSum(["pa", "pb"], TREE_WG)}
  if (lid == 0u && valid) {
    sumGXhat[c] = pa[0];
    sumG[c] = pb[0];
  }
}
`;
  return { key: `bn_gsums|${sh.n}|${sh.c}|${sh.s}`, workgroups, source };
}

/**
 * The input's gradient. Training (batch statistics):
 * dx = w * invstd * (g - sum(g)/M - xhat * sum(g * xhat)/M); eval (running statistics, constants):
 * dx = w * invstd * g. Bind x, g, stats, [weight], [sumGXhat, sumG when training], then dx.
 */
export function batchNormGradInputKernel(
  sh: BatchNormShape,
  hasWeight: boolean,
  training: boolean,
): KernelSpec {
  const total = sh.n * sh.c * sh.s;
  const m = sh.n * sh.s;
  const workgroups = grid1d(total, EW_WG);
  const decl = [
    `@group(0) @binding(0) var<storage, read> g: array<f32>;`,
    `@group(0) @binding(1) var<storage, read> stats: array<f32>;`,
  ];
  let b = 2;
  if (hasWeight) decl.push(`@group(0) @binding(${b++}) var<storage, read> weight: array<f32>;`);
  if (training) {
    decl.push(`@group(0) @binding(${b++}) var<storage, read> x: array<f32>;`);
    decl.push(`@group(0) @binding(${b++}) var<storage, read> sumGXhat: array<f32>;`);
    decl.push(`@group(0) @binding(${b++}) var<storage, read> sumG: array<f32>;`);
  }
  decl.push(`@group(0) @binding(${b}) var<storage, read_write> dx: array<f32>;`);
  const value = training
    ? `let xhat = (x[i] - stats[c]) * invstd;
  dx[i] = scale * (g[i] - sumG[c] / ${m}.0 - xhat * sumGXhat[c] / ${m}.0);`
    : `dx[i] = scale * g[i];`;
  const source = () =>
    `${decl.join("\n")}
${bnElementMain(workgroups, sh)}
  let invstd = stats[${sh.c}u + c];
  let scale = invstd${hasWeight ? " * weight[c]" : ""};
  ${value}
}
`;
  return {
    key: `bn_gin|${sh.n}|${sh.c}|${sh.s}|${hasWeight}|${training}`,
    workgroups,
    source,
  };
}

/** A layer norm's shape: `rows` rows of `d` normalised elements. */
export interface LayerNormShape {
  rows: number;
  d: number;
}

/**
 * Forward, one workgroup per row. Bind x, [weight], [bias], then y and the stats output
 * [2, rows] (mean, 1/sqrt(var + eps)).
 */
export function layerNormForwardKernel(
  sh: LayerNormShape,
  eps: number,
  hasWeight: boolean,
  hasBias: boolean,
): KernelSpec {
  const workgroups = grid1d(sh.rows, 1);
  const decl = [`@group(0) @binding(0) var<storage, read> x: array<f32>;`];
  let b = 1;
  if (hasWeight) decl.push(`@group(0) @binding(${b++}) var<storage, read> weight: array<f32>;`);
  if (hasBias) decl.push(`@group(0) @binding(${b++}) var<storage, read> bias: array<f32>;`);
  decl.push(`@group(0) @binding(${b++}) var<storage, read_write> y: array<f32>;`);
  decl.push(`@group(0) @binding(${b}) var<storage, read_write> stats: array<f32>;`);
  const source = () =>
    `${decl.join("\n")}
var<workgroup> part: array<f32, ${ROW_WG}>;
${itemPerGroupMain(workgroups, ROW_WG, "r", sh.rows)}
  let base = r * ${sh.d}u;
  ${centredSums("x[base + e]", sh.d, ROW_WG)}
  let rstd = 1.0 / sqrt(part[0] / ${sh.d}.0 + ${literal(eps)});
  if (valid) {
    for (var j = lid; j < ${sh.d}u; j += ${ROW_WG}u) {
      y[base + j] = (x[base + j] - mean) * rstd${hasWeight ? " * weight[j]" : ""}${
      hasBias ? " + bias[j]" : ""
    };
    }
    if (lid == 0u) {
      stats[r] = mean;
      stats[${sh.rows}u + r] = rstd;
    }
  }
}
`;
  return {
    key: `ln_fwd|${sh.rows}|${sh.d}|${eps}|${hasWeight}|${hasBias}`,
    workgroups,
    source,
  };
}

/**
 * The input's gradient, one workgroup per row:
 * dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) with dxhat = g * weight.
 * Bind x, g, stats, [weight], then dx.
 */
export function layerNormGradInputKernel(sh: LayerNormShape, hasWeight: boolean): KernelSpec {
  const workgroups = grid1d(sh.rows, 1);
  const dxhat = hasWeight ? "g[base + j] * weight[j]" : "g[base + j]";
  const source = () =>
    `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
${hasWeight ? "@group(0) @binding(3) var<storage, read> weight: array<f32>;" : ""}
@group(0) @binding(${hasWeight ? 4 : 3}) var<storage, read_write> dx: array<f32>;
var<workgroup> pa: array<f32, ${ROW_WG}>;
var<workgroup> pb: array<f32, ${ROW_WG}>;
${itemPerGroupMain(workgroups, ROW_WG, "r", sh.rows)}
  let base = r * ${sh.d}u;
  var a = 0.0;
  var b = 0.0;
  var mean = 0.0;
  var rstd = 0.0;
  if (valid) {
    mean = stats[r];
    rstd = stats[${sh.rows}u + r];
    for (var j = lid; j < ${sh.d}u; j += ${ROW_WG}u) {
      let dh = ${dxhat};
      a += dh;
      b += dh * (x[base + j] - mean) * rstd;
    }
  }
  pa[lid] = a;
  pb[lid] = b;
  ${treeSum(["pa", "pb"], ROW_WG)}
  let meanDh = pa[0] / ${sh.d}.0;
  let meanDhXhat = pb[0] / ${sh.d}.0;
  if (valid) {
    for (var j = lid; j < ${sh.d}u; j += ${ROW_WG}u) {
      let xhat = (x[base + j] - mean) * rstd;
      dx[base + j] = rstd * (${dxhat} - meanDh - xhat * meanDhXhat);
    }
  }
}
`;
  return { key: `ln_gin|${sh.rows}|${sh.d}|${hasWeight}`, workgroups, source };
}

/**
 * The weight's and bias's gradients, one thread per column looping over the rows in order (a
 * fixed summation order, so the result is deterministic). Bind x, g, stats, then the requested
 * outputs [d]: dweight = sum(g * xhat), dbias = sum(g).
 */
export function layerNormGradParamsKernel(
  sh: LayerNormShape,
  wantWeight: boolean,
  wantBias: boolean,
): KernelSpec {
  const workgroups = grid1d(sh.d, ROW_WG);
  const decl = [
    `@group(0) @binding(0) var<storage, read> g: array<f32>;`,
  ];
  let b = 1;
  if (wantWeight) {
    decl.push(`@group(0) @binding(${b++}) var<storage, read> x: array<f32>;`);
    decl.push(`@group(0) @binding(${b++}) var<storage, read> stats: array<f32>;`);
    decl.push(`@group(0) @binding(${b++}) var<storage, read_write> dweight: array<f32>;`);
  }
  if (wantBias) decl.push(`@group(0) @binding(${b}) var<storage, read_write> dbias: array<f32>;`);
  const source = () =>
    `${decl.join("\n")}
@compute @workgroup_size(${ROW_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let j = ${groupIndex(workgroups)} * ${ROW_WG}u + lid;
  if (j >= ${sh.d}u) { return; }
  var gw = 0.0;
  var gb = 0.0;
  for (var r = 0u; r < ${sh.rows}u; r++) {
    let gv = g[r * ${sh.d}u + j];
    ${wantWeight ? `gw += gv * (x[r * ${sh.d}u + j] - stats[r]) * stats[${sh.rows}u + r];` : ""}
    gb += gv;
  }
  ${wantWeight ? "dweight[j] = gw;" : ""}
  ${wantBias ? "dbias[j] = gb;" : ""}
}
`;
  return {
    key: `ln_gparams|${sh.rows}|${sh.d}|${wantWeight}|${wantBias}`,
    workgroups,
    source,
  };
}
