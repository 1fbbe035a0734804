/**
 * 2-D convolution and its two gradients as implicit GEMMs on the skeleton of kernels/conv_gemm.ts:
 * one product per conv group, whose operand loaders turn (row, k, column) into tensor coordinates,
 * so no im2col buffer is ever written. These are the general fallbacks, for windows too large for
 * the unrolled direct kernels (kernels/conv2d_direct.ts, kernels/conv2d_weight_grad.ts) and input
 * gradients the sub-pixel phases of kernels/conv2d_input_grad.ts do not cover.
 *
 * Notation: see kernels/conv2d_geometry.ts.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { convGemmKernel, MAX_COLUMNS } from "./conv_gemm.ts";
import { type Conv2dGeometry, convSizes, geometryKey } from "./conv2d_geometry.ts";

/**
 * Forward: out[n, g*coutG + co, oh, ow] = bias + Σ_(ci,kh,kw) w[g*coutG + co, ci, kh, kw] · x[...].
 * GEMM per group: rows = co, columns = (n, oh, ow), K = (ci, kh, kw) — the weight's own layout,
 * so A is just the weight matrix [coutG, cinG*kH*kW]. Bind x, weight, [bias], then the output.
 */
export function conv2dForwardGemmKernel(g: Conv2dGeometry, hasBias: boolean): KernelSpec {
  const { cinG, coutG, taps, hw, ohw, wRow } = convSizes(g);
  const bias = hasBias ? `@group(0) @binding(2) var<storage, read> bias: array<f32>;` : "";
  const outBinding = hasBias ? 3 : 2;
  return convGemmKernel({
    key: `conv2d_fwd|${geometryKey(g)}|${hasBias}`,
    m: coutG,
    n: g.batch * ohw,
    k: wRow,
    zCount: g.groups,
    splits: 1,
    bindings: `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
${bias}
@group(0) @binding(${outBinding}) var<storage, read_write> out: array<f32>;`,
    functions: `
// Per column j: the window's top-left input pixel (negative inside the padding) and the offset of
// x[n, z*cinG, 0, 0].
var<private> colIh: array<i32, ${MAX_COLUMNS}>;
var<private> colIw: array<i32, ${MAX_COLUMNS}>;
var<private> colX: array<u32, ${MAX_COLUMNS}>;
// Per k: the input channel within the group and the tap's dilated offsets.
var<private> kCi: u32;
var<private> kDh: i32;
var<private> kDw: i32;

fn setupColumn(z: u32, j: u32, col: u32) {
  let n = col / ${ohw}u;
  let p = col % ${ohw}u;
  colIh[j] = i32((p / ${g.outW}u) * ${g.strideH}u) - ${g.padH};
  colIw[j] = i32((p % ${g.outW}u) * ${g.strideW}u) - ${g.padW};
  colX[j] = n * ${g.inChannels * hw}u + z * ${cinG * hw}u;
}
fn setupK(z: u32, k: u32) {
  kCi = k / ${taps}u;
  let tap = k % ${taps}u;
  kDh = i32((tap / ${g.kernelW}u) * ${g.dilationH}u);
  kDw = i32((tap % ${g.kernelW}u) * ${g.dilationW}u);
}
fn loadA(z: u32, row: u32, k: u32) -> f32 {
  return w[(z * ${coutG}u + row) * ${wRow}u + k];
}
fn loadB(z: u32, j: u32) -> f32 {
  // A negative coordinate (padding) wraps to a huge u32, so one compare per dim bounds-checks it.
  let ih = u32(colIh[j] + kDh);
  let iw = u32(colIw[j] + kDw);
  let inside = (ih < ${g.height}u) & (iw < ${g.width}u);
  let v = x[select(0u, colX[j] + kCi * ${hw}u + ih * ${g.width}u + iw, inside)];
  return select(0.0, v, inside);
}
fn store(z: u32, split: u32, row: u32, col: u32, value: f32) {
  let channel = z * ${coutG}u + row;
  let n = col / ${ohw}u;
  out[n * ${g.outChannels * ohw}u + channel * ${ohw}u + col % ${ohw}u] = value${
      hasBias ? " + bias[channel]" : ""
    };
}
`,
  });
}

/**
 * Input gradient: dx[n, g*cinG + ci, ih, iw] = Σ_(co,kh,kw) w[g*coutG + co, ci, kh, kw] · dy[n, co,
 * oh, ow] over the taps that reach (ih, iw): oh = (ih + padH - kh*dilationH) / strideH when that
 * divides exactly and lands inside the output (a transposed convolution). GEMM per group: rows =
 * ci, columns = (n, ih, iw), K = (co, kh, kw). Bind dy, weight, then dx.
 */
export function conv2dInputGradGemmKernel(g: Conv2dGeometry): KernelSpec {
  const { cinG, coutG, taps, hw, ohw, wRow } = convSizes(g);
  // nh = oh * strideH for a tap that reaches the pixel; negative nh wraps to a huge u32 and fails
  // the bounds test. With stride 1 every tap divides exactly, so the remainder test goes.
  const strided = g.strideH !== 1 || g.strideW !== 1;
  const reach = strided
    ? `let oh = nh / ${g.strideH}u;
  let ow = nw / ${g.strideW}u;
  let inside = (nh % ${g.strideH}u == 0u) & (nw % ${g.strideW}u == 0u) & (oh < ${g.outH}u) &
    (ow < ${g.outW}u);`
    : `let oh = nh;
  let ow = nw;
  let inside = (oh < ${g.outH}u) & (ow < ${g.outW}u);`;
  return convGemmKernel({
    key: `conv2d_dx|${geometryKey(g)}`,
    m: cinG,
    n: g.batch * hw,
    k: coutG * taps,
    zCount: g.groups,
    splits: 1,
    bindings: `@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;`,
    functions: `
// Per column j: the input pixel shifted by the padding (oh * strideH + kh * dilationH for the taps
// that reach it) and the offset of dy[n, z*coutG, 0, 0].
var<private> colNh: array<i32, ${MAX_COLUMNS}>;
var<private> colNw: array<i32, ${MAX_COLUMNS}>;
var<private> colDy: array<u32, ${MAX_COLUMNS}>;
// Per k: the output channel within the group, the tap index and its dilated offsets.
var<private> kCo: u32;
var<private> kTap: u32;
var<private> kDh: i32;
var<private> kDw: i32;

fn setupColumn(z: u32, j: u32, col: u32) {
  let n = col / ${hw}u;
  let p = col % ${hw}u;
  colNh[j] = i32(p / ${g.width}u) + ${g.padH};
  colNw[j] = i32(p % ${g.width}u) + ${g.padW};
  colDy[j] = n * ${g.outChannels * ohw}u + z * ${coutG * ohw}u;
}
fn setupK(z: u32, k: u32) {
  kCo = k / ${taps}u;
  kTap = k % ${taps}u;
  kDh = i32((kTap / ${g.kernelW}u) * ${g.dilationH}u);
  kDw = i32((kTap % ${g.kernelW}u) * ${g.dilationW}u);
}
fn loadA(z: u32, row: u32, k: u32) -> f32 {
  // w[z*coutG + co, ci = row, kh, kw]: the weight read transposed.
  return w[(z * ${coutG}u + kCo) * ${wRow}u + row * ${taps}u + kTap];
}
fn loadB(z: u32, j: u32) -> f32 {
  let nh = u32(colNh[j] - kDh);
  let nw = u32(colNw[j] - kDw);
  ${reach}
  let v = dy[select(0u, colDy[j] + kCo * ${ohw}u + oh * ${g.outW}u + ow, inside)];
  return select(0.0, v, inside);
}
fn store(z: u32, split: u32, row: u32, col: u32, value: f32) {
  let n = col / ${hw}u;
  dx[n * ${g.inChannels * hw}u + (z * ${cinG}u + row) * ${hw}u + col % ${hw}u] = value;
}
`,
  });
}

/**
 * Weight gradient: dw[g*coutG + co, ci, kh, kw] = Σ_(n,oh,ow) dy[n, g*coutG + co, oh, ow] · x[n,
 * g*cinG + ci, ih, iw]. GEMM per group: rows = co, columns = (ci, kh, kw), K = (n, oh, ow), split
 * into `splits` chunks whose partial products land in consecutive copies of the weight's shape
 * ([splits, Cout, cinG, kH, kW]; the caller sums them). Bind dy, x, then the partials.
 */
export function conv2dWeightGradGemmKernel(g: Conv2dGeometry, splits: number): KernelSpec {
  const { cinG, coutG, taps, hw, ohw, wRow } = convSizes(g);
  return convGemmKernel({
    key: `conv2d_dw|${geometryKey(g)}`,
    m: coutG,
    n: wRow,
    k: g.batch * ohw,
    zCount: g.groups,
    splits,
    bindings: `@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;`,
    functions: `
// Per column j (a weight element ci, kh, kw): the tap's offset from the window origin and the
// offset of x[0, z*cinG + ci, 0, 0].
var<private> colDh: array<i32, ${MAX_COLUMNS}>;
var<private> colDw: array<i32, ${MAX_COLUMNS}>;
var<private> colX: array<u32, ${MAX_COLUMNS}>;
// Per k (an output pixel n, oh, ow): the window origin, and the offsets of x[n] and dy[n, 0, oh, ow].
var<private> kIh: i32;
var<private> kIw: i32;
var<private> kX: u32;
var<private> kDy: u32;

fn setupColumn(z: u32, j: u32, col: u32) {
  let tap = col % ${taps}u;
  colDh[j] = i32((tap / ${g.kernelW}u) * ${g.dilationH}u) - ${g.padH};
  colDw[j] = i32((tap % ${g.kernelW}u) * ${g.dilationW}u) - ${g.padW};
  colX[j] = (z * ${cinG}u + col / ${taps}u) * ${hw}u;
}
fn setupK(z: u32, k: u32) {
  let n = k / ${ohw}u;
  let p = k % ${ohw}u;
  kIh = i32((p / ${g.outW}u) * ${g.strideH}u);
  kIw = i32((p % ${g.outW}u) * ${g.strideW}u);
  kX = n * ${g.inChannels * hw}u;
  kDy = n * ${g.outChannels * ohw}u + p;
}
fn loadA(z: u32, row: u32, k: u32) -> f32 {
  return dy[kDy + (z * ${coutG}u + row) * ${ohw}u];
}
fn loadB(z: u32, j: u32) -> f32 {
  // Negative coordinates wrap to huge u32s and fail the bounds test (see the forward kernel).
  let ih = u32(kIh + colDh[j]);
  let iw = u32(kIw + colDw[j]);
  let inside = (ih < ${g.height}u) & (iw < ${g.width}u);
  let v = x[select(0u, kX + colX[j] + ih * ${g.width}u + iw, inside)];
  return select(0.0, v, inside);
}
fn store(z: u32, split: u32, row: u32, col: u32, value: f32) {
  dw[split * ${g.outChannels * wRow}u + (z * ${coutG}u + row) * ${wRow}u + col] = value;
}
`,
  });
}
