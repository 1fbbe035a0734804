/**
 * Layer normalisation. The input is viewed as [rows, D]; each row is reduced by one workgroup (64
 * threads, or 256 for rows longer than LONG_ROW), and `stats` is [2, rows] holding each row's
 * mean and 1/sqrt(var + eps).
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex, literal } from "./_grid.ts";
import { centredSums, itemPerGroupMain, treeSum } from "./_norm_reduce.ts";
import { LONG_ROW, ROW_WG as LONG_ROW_WG } from "./_row_reduce.ts";

/** Threads of a short row's workgroup, and of the parameter-gradient kernel's. */
const ROW_WG = 64;

/** Threads reducing one row of `d` elements. */
function rowThreads(d: number): number {
  return d > LONG_ROW ? LONG_ROW_WG : ROW_WG;
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
  const wg = rowThreads(sh.d);
  const source = () =>
    `${decl.join("\n")}
var<workgroup> part: array<f32, ${wg}>;
${itemPerGroupMain(workgroups, wg, "r", sh.rows)}
  let base = r * ${sh.d}u;
  ${centredSums("x[base + e]", sh.d, wg)}
  let rstd = 1.0 / sqrt(part[0] / ${sh.d}.0 + ${literal(eps)});
  if (valid) {
    for (var j = lid; j < ${sh.d}u; j += ${wg}u) {
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
  const wg = rowThreads(sh.d);
  const source = () =>
    `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
${hasWeight ? "@group(0) @binding(3) var<storage, read> weight: array<f32>;" : ""}
@group(0) @binding(${hasWeight ? 4 : 3}) var<storage, read_write> dx: array<f32>;
var<workgroup> pa: array<f32, ${wg}>;
var<workgroup> pb: array<f32, ${wg}>;
${itemPerGroupMain(workgroups, wg, "r", sh.rows)}
  let base = r * ${sh.d}u;
  var a = 0.0;
  var b = 0.0;
  var mean = 0.0;
  var rstd = 0.0;
  if (valid) {
    mean = stats[r];
    rstd = stats[${sh.rows}u + r];
    for (var j = lid; j < ${sh.d}u; j += ${wg}u) {
      let dh = ${dxhat};
      a += dh;
      b += dh * (x[base + j] - mean) * rstd;
    }
  }
  pa[lid] = a;
  pb[lid] = b;
  ${treeSum(["pa", "pb"], wg)}
  let meanDh = pa[0] / ${sh.d}.0;
  let meanDhXhat = pb[0] / ${sh.d}.0;
  if (valid) {
    for (var j = lid; j < ${sh.d}u; j += ${wg}u) {
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
