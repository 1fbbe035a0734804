/**
 * Batch normalisation. The input is viewed as [N, C, S] (S = product of the spatial dims); the
 * statistics are reduced by one workgroup per channel, and `stats` is [2, C] holding each
 * channel's mean and 1/sqrt(var + eps).
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex, literal } from "./_grid.ts";
import { centredSums, itemPerGroupMain, treeSum } from "./_norm_reduce.ts";

const TREE_WG = 256;
const EW_WG = 256;

/** A batch norm's shape. */
export interface BatchNormShape {
  n: number;
  c: number;
  s: number;
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
