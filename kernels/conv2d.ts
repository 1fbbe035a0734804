/**
 * 2-D convolution (NCHW, torch's cross-correlation) and its two gradients as implicit GEMMs on the
 * skeleton of kernels/conv_gemm.ts: one product per conv group, whose operand loaders turn
 * (row, k, column) into tensor coordinates, so no im2col buffer is ever written.
 *
 * Two families of kernels live here. The direct kernels (conv2dPackWeightKernel,
 * conv2dForwardKernel, conv2dWeightGradKernel) are the fast path: a thread owns a run of output
 * pixels along one row, so the input pixels its kernel taps read overlap and are loaded once per
 * row of taps instead of once per tap, and the weight is first repacked so that one vec4 load
 * gives a tap's weight for four output channels. On lavapipe every storage load is a per-lane
 * gather, so loads, not FMAs, set the speed. The GEMM kernels (…GemmKernel, conv2dInputGradKernel)
 * are the general fallback: windows too large to unroll, and strided input gradients.
 *
 * Notation: group g has cinG = C / groups input and coutG = Cout / groups output channels; a
 * kernel tap (kh, kw) of output pixel (oh, ow) reads input pixel
 * (oh * strideH - padH + kh * dilationH, ow * strideW - padW + kw * dilationW), zero outside.
 *
 * @module
 */
import type { KernelSpec } from "../src/device/device.ts";
import { convGemmKernel, MAX_COLUMNS } from "./conv_gemm.ts";
import { type Window2d, windowKeyParts } from "./_window2d.ts";
import { grid1d, groupIndex } from "./_grid.ts";

/** Every size of a convolution, all resolved to numbers. */
export interface Conv2dGeometry extends Window2d {
  batch: number;
  inChannels: number;
  height: number;
  width: number;
  outChannels: number;
  groups: number;
  outH: number;
  outW: number;
}

function geometryKey(g: Conv2dGeometry): string {
  return [
    g.batch,
    g.inChannels,
    g.height,
    g.width,
    g.outChannels,
    ...windowKeyParts(g),
    g.groups,
    g.outH,
    g.outW,
  ].join("x");
}

/** Sizes every conv kernel needs, as numbers for the WGSL templates. */
function sizes(g: Conv2dGeometry) {
  const cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups;
  const taps = g.kernelH * g.kernelW;
  return {
    cinG,
    coutG,
    taps,
    hw: g.height * g.width,
    ohw: g.outH * g.outW,
    /** Weight elements per output channel: [cinG, kH, kW]. */
    wRow: cinG * taps,
  };
}

/**
 * Forward: out[n, g*coutG + co, oh, ow] = bias + Σ_(ci,kh,kw) w[g*coutG + co, ci, kh, kw] · x[...].
 * GEMM per group: rows = co, columns = (n, oh, ow), K = (ci, kh, kw) — the weight's own layout,
 * so A is just the weight matrix [coutG, cinG*kH*kW]. Bind x, weight, [bias], then the output.
 */
export function conv2dForwardGemmKernel(g: Conv2dGeometry, hasBias: boolean): KernelSpec {
  const { cinG, coutG, taps, hw, ohw, wRow } = sizes(g);
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
export function conv2dInputGradKernel(g: Conv2dGeometry): KernelSpec {
  const { cinG, coutG, taps, hw, ohw, wRow } = sizes(g);
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
  const { cinG, coutG, taps, hw, ohw, wRow } = sizes(g);
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

// ---------------------------------------------------------------------------------------------
// Direct kernels.

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** `x - v` in WGSL for a signed constant v (the input-gradient geometry can pad by -1 or less). */
const minus = (v: number): string => (v >= 0 ? `- ${v}` : `+ ${-v}`);

/** Output pixels a forward thread computes along one row (its columns of C). */
function forwardColumns(outW: number): number {
  return outW >= 8 ? 8 : 4;
}

/** Output channels per weight-gradient thread: whole vec4 accumulators along channels. */
function weightGradRows(coutG: number): number {
  return coutG >= 8 ? 8 : 4;
}

/** Output pixels a weight-gradient thread takes per step of its reduction (one vec4 of dy). */
const DW_PIXELS = 4;

/** Input pixels along a row that `cols` consecutive outputs read: the span of their windows. */
function spanOf(cols: number, stride: number, kernel: number, dilation: number): number {
  return (cols - 1) * stride + (kernel - 1) * dilation + 1;
}

/**
 * WGSL lets locating a thread's input window, given i32 lets `ih0` and `iw0` (the top-left input
 * pixel, negative inside the padding): span pixel s is column iw0 + s and kernel row kh is row
 * ih0 + kh*dilationH. Outside the image (a negative coordinate wraps to a huge u32, so one compare
 * per dim) the flag okw{s} / okh{kh} is false and the offset offw{s} / offh{kh} clamped to 0, so
 * `select(0.0, x[plane + offh{kh} + offw{s}], okh{kh} & okw{s})` reads in bounds.
 */
function windowLets(g: Conv2dGeometry, span: number): string[] {
  return [
    ...range(span).flatMap((s) => [
      `let okw${s} = u32(iw0 + ${s}) < ${g.width}u;`,
      `let offw${s} = select(0u, u32(iw0 + ${s}), okw${s});`,
    ]),
    ...range(g.kernelH).flatMap((kh) => [
      `let okh${kh} = u32(ih0 + ${kh * g.dilationH}) < ${g.height}u;`,
      `let offh${kh} = select(0u, u32(ih0 + ${kh * g.dilationH}), okh${kh}) * ${g.width}u;`,
    ]),
  ];
}

/**
 * Whether the direct kernels take this convolution: their code is unrolled over the taps and the
 * input span, so huge windows go to the GEMM kernels instead.
 */
export function directConvFits(g: Conv2dGeometry): boolean {
  const span = Math.max(
    spanOf(forwardColumns(g.outW), g.strideW, g.kernelW, g.dilationW),
    spanOf(DW_PIXELS, g.strideW, g.kernelW, g.dilationW),
  );
  return g.kernelH * g.kernelW <= 49 && span <= 40;
}

/**
 * The input gradient of a stride-1 convolution as a forward convolution over dy: dx[n, ci, ih, iw]
 * = Σ_(co,kh,kw) w[co, ci, kH-1-kh, kW-1-kw] · dy[n, co, ih - padH' + kh*dilationH, ...] with
 * padH' = dilationH*(kH-1) - padH (dy plays the input, dx the output; the weight is transposed
 * and flipped by conv2dPackWeightKernel(g, true)).
 */
export function inputGradGeometry(g: Conv2dGeometry): Conv2dGeometry {
  if (g.strideH !== 1 || g.strideW !== 1) {
    throw new Error(
      `Input gradient as a convolution needs stride 1, got ${g.strideH}x${g.strideW}`,
    );
  }
  return {
    ...g,
    inChannels: g.outChannels,
    height: g.outH,
    width: g.outW,
    outChannels: g.inChannels,
    padH: g.dilationH * (g.kernelH - 1) - g.padH,
    padW: g.dilationW * (g.kernelW - 1) - g.padW,
    outH: g.height,
    outW: g.width,
  };
}

/**
 * Repacks the weight [Cout, cinG, kH, kW] for conv2dForwardKernel as P[c, kh, kw, m], the output
 * channel m innermost, so one vec4 load gives a tap's weight for four output channels.
 * Forward: c is the input channel within its group and m the output channel (Cout of them).
 * `forInputGrad` (see inputGradGeometry): c is the output channel within its group, m = z*cinG + ci
 * the input channel, and the taps are flipped. Bind the weight, then P (as many elements).
 */
export function conv2dPackWeightKernel(g: Conv2dGeometry, forInputGrad: boolean): KernelSpec {
  const { cinG, coutG, taps } = sizes(g);
  const total = g.outChannels * cinG * taps;
  const grid = grid1d(total, 64);
  const inner = forInputGrad ? g.inChannels : g.outChannels;
  // P index i = (c * taps + tap) * inner + m.
  const source = forInputGrad
    ? `let ci = m % ${cinG}u;
  let co = (m / ${cinG}u) * ${coutG}u + c;
  p[i] = w[(co * ${cinG}u + ci) * ${taps}u + ${taps - 1}u - tap];`
    : `p[i] = w[(m * ${cinG}u + c) * ${taps}u + tap];`;
  return {
    key: `conv2d_pack|${geometryKey(g)}|${forInputGrad}`,
    workgroups: grid,
    source: () =>
      `@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read_write> p: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = ${groupIndex(grid)} * 64u + lid.x;
  if (i >= ${total}u) { return; }
  let m = i % ${inner}u;
  let tap = (i / ${inner}u) % ${taps}u;
  let c = i / ${inner * taps}u;
  ${source}
}
`,
  };
}

/**
 * Forward, direct: out[n, z*coutG + m, oh, ow] = bias + Σ_(c,kh,kw) P[c, kh, kw, z*coutG + m] ·
 * x[n, z*cinG + c, oh*strideH - padH + kh*dilationH, ow*strideW - padW + kw*dilationW], with P
 * from conv2dPackWeightKernel. A thread computes rm output channels × rn consecutive pixels of one
 * output row: per input channel and kernel row it loads the span of input pixels those rn windows
 * cover ((rn-1)*strideW + (kW-1)*dilationW + 1, e.g. 10 for 8 pixels of a 3x3 conv) once and
 * reuses them for every kW tap, and the weights as vec4s over output channels. Also computes
 * stride-1 input gradients on inputGradGeometry(g). Bind x, P, [bias], then the output.
 */
export function conv2dForwardKernel(g: Conv2dGeometry, hasBias: boolean): KernelSpec {
  const { cinG, coutG, taps, hw } = sizes(g);
  const rm = coutG >= 8 ? 8 : coutG >= 4 ? 4 : coutG;
  const rn = forwardColumns(g.outW);
  // vec4 weight loads need four-aligned row groups (coutG % 4 == 0 makes Cout % 4 == 0 too).
  const vecW = rm % 4 === 0 && coutG % 4 === 0;
  const rowBlocks = Math.ceil(coutG / rm), segs = Math.ceil(g.outW / rn);
  const threads = rowBlocks * g.batch * g.outH * segs;
  const grid = grid1d(threads, 64);
  const span = spanOf(rn, g.strideW, g.kernelW, g.dilationW);
  const outBinding = hasBias ? 3 : 2;
  const weightRows = vecW
    // Row groups of four, clamped (keeping alignment) for a partial block; never stored.
    ? range(rm / 4).map((q) => `let wq${q} = z * ${coutG}u + min(m0 + ${4 * q}u, ${coutG - 4}u);`)
    : range(rm).map((r) => `let wr${r} = z * ${coutG}u + min(m0 + ${r}u, ${coutG - 1}u);`);
  // One kernel row kh: load the span, then every tap of the row.
  const kernelRow = (kh: number): string => {
    const lines = range(span).map((s) =>
      `let v${s} = select(0.0, x[xc + offh${kh} + offw${s}], okh${kh} & okw${s});`
    );
    for (const kw of range(g.kernelW)) {
      const tapAt = `wc + ${(kh * g.kernelW + kw) * g.outChannels}u`;
      const a = vecW
        ? range(rm / 4).flatMap((q) => [
          `let av${q} = wp[(${tapAt} + wq${q}) / 4u];`,
          ...range(4).map((i) => `let a${4 * q + i} = av${q}[${i}];`),
        ])
        : range(rm).map((r) => `let a${r} = wp[${tapAt} + wr${r}];`);
      const b = range(rn / 4).map((q) => {
        const comps = range(4).map((i) => `v${(4 * q + i) * g.strideW + kw * g.dilationW}`);
        return `let b${q} = vec4<f32>(${comps.join(", ")});`;
      });
      const fmas = range(rm).flatMap((r) =>
        range(rn / 4).map((q) => `acc${r}_${q} = fma(vec4<f32>(a${r}), b${q}, acc${r}_${q});`)
      );
      lines.push(`{\n        ${[...a, ...b, ...fmas].join("\n        ")}\n      }`);
    }
    return `{\n      ${lines.join("\n      ")}\n    }`;
  };
  const accDecl = range(rm).flatMap((r) =>
    range(rn / 4).map((q) => `var acc${r}_${q} = vec4<f32>(0.0);`)
  );
  const stores = range(rm).map((r) => {
    const rowGuard = coutG % rm === 0 ? "" : `if (m0 + ${r}u < ${coutG}u) `;
    const cols = range(rn).map((c) => {
      const colGuard = g.outW % rn === 0 ? "" : `if (ow0 + ${c}u < ${g.outW}u) `;
      const value = `acc${r}_${c >> 2}[${c & 3}]${hasBias ? ` + bias[channel${r}]` : ""}`;
      return `${colGuard}{ out[outRow${r} + ${c}u] = ${value}; }`;
    });
    return `${rowGuard}{
    let channel${r} = z * ${coutG}u + m0 + ${r}u;
    let outRow${r} = ((n * ${g.outChannels}u + channel${r}) * ${g.outH}u + oh) * ${g.outW}u + ow0;
    ${cols.join("\n    ")}
  }`;
  });
  return {
    key: `conv2d_fwd_direct|${geometryKey(g)}|${hasBias}`,
    workgroups: [grid[0], grid[1], g.groups],
    source: () =>
      `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> wp: array<${vecW ? "vec4<f32>" : "f32"}>;
${hasBias ? "@group(0) @binding(2) var<storage, read> bias: array<f32>;" : ""}
@group(0) @binding(${outBinding}) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  // Thread t = ((n * outH + oh) * segs + seg) * rowBlocks + rowBlock: neighbouring lanes share
  // the input pixels and read different output channels' weights.
  let t = ${groupIndex(grid)} * 64u + lid.x;
  if (t >= ${threads}u) { return; }
  let z = wid.z;
  let m0 = (t % ${rowBlocks}u) * ${rm}u;
  let unit = t / ${rowBlocks}u;
  let ow0 = (unit % ${segs}u) * ${rn}u;
  let oh = (unit / ${segs}u) % ${g.outH}u;
  let n = unit / ${segs * g.outH}u;
  // The windows' top-left input pixel (see windowLets).
  let iw0 = i32(ow0 * ${g.strideW}u) ${minus(g.padW)};
  let ih0 = i32(oh * ${g.strideH}u) ${minus(g.padH)};
  ${windowLets(g, span).join("\n  ")}
  ${weightRows.join("\n  ")}
  ${accDecl.join("\n  ")}
  // xc: offset of x[n, z*cinG + c, 0, 0]; wc: offset of P[c, 0, 0, 0].
  var xc = (n * ${g.inChannels}u + z * ${cinG}u) * ${hw}u;
  var wc = 0u;
  for (var c = 0u; c < ${cinG}u; c++) {
    ${range(g.kernelH).map(kernelRow).join("\n    ")}
    xc += ${hw}u;
    wc += ${taps * g.outChannels}u;
  }
  ${stores.join("\n  ")}
}
`,
  };
}

/** K-splits of conv2dWeightGradKernel: enough threads for both cores, chunks not too small. */
export function weightGradSplits(g: Conv2dGeometry): number {
  const { cinG, coutG } = sizes(g);
  const rm = weightGradRows(coutG);
  const threads = Math.ceil(coutG / rm) * cinG * g.groups;
  const units = g.batch * g.outH * Math.ceil(g.outW / DW_PIXELS);
  return Math.max(1, Math.min(Math.ceil(2048 / threads), Math.floor(units / 16), 256));
}

/**
 * Weight gradient, direct: dw[z*coutG + m, c, kh, kw] = Σ_(n,oh,ow) dy[n, z*coutG + m, oh, ow] ·
 * x[n, z*cinG + c, oh*strideH - padH + kh*dilationH, ow*strideW - padW + kw*dilationW]. A thread
 * owns rm output channels × every tap of one input channel c, and walks its share of the
 * reduction four output pixels of a row at a time: one (vec4 when outW % 4 == 0) dy load per
 * channel and the input span of the four windows per kernel row. The reduction is split into
 * `splits` chunks (weightGradSplits) whose partial sums land in [splits, Cout, cinG, kH, kW];
 * the caller adds them up (a fixed order: deterministic). Bind dy, x, then the partials.
 */
export function conv2dWeightGradKernel(g: Conv2dGeometry, splits: number): KernelSpec {
  const { cinG, coutG, taps, hw, ohw } = sizes(g);
  const rm = weightGradRows(coutG);
  const groups = rm / 4;
  const rowBlocks = Math.ceil(coutG / rm), segs = Math.ceil(g.outW / DW_PIXELS);
  const units = g.batch * g.outH * segs;
  const chunk = Math.ceil(units / splits);
  const threads = rowBlocks * cinG * splits;
  const grid = grid1d(threads, 64);
  const span = spanOf(DW_PIXELS, g.strideW, g.kernelW, g.dilationW);
  const vecDy = g.outW % DW_PIXELS === 0;
  const pixels = range(DW_PIXELS);
  // Channel of dy read for row r: out-of-range rows of a partial block are clamped, never stored.
  const rowChannels = range(rm).map((r) =>
    `let mr${r} = z * ${coutG}u + min(m0 + ${r}u, ${coutG - 1}u);`
  );
  const accDecl = range(groups).flatMap((q) =>
    range(taps).map((t) => `var acc${q}_${t} = vec4<f32>(0.0);`)
  );
  // dy of row r at pixel p as d{r}_{p}: one vec4 per row when rows are whole vec4s; otherwise
  // scalar loads, pixels past the row's end (clamped column owc{p}) reading 0.
  const vecDyLoads = (r: number): string[] => [
    `let d${r} = dy[(dyRow + mr${r} * ${ohw}u) / 4u];`,
    ...pixels.map((p) => `let d${r}_${p} = d${r}[${p}];`),
  ];
  const scalarDyLoads = (r: number): string[] =>
    pixels.map((p) =>
      `let d${r}_${p} = select(0.0, dy[dyRow + mr${r} * ${ohw}u + owc${p}], ` +
      `ow0 + ${p}u < ${g.outW}u);`
    );
  const dyLoads = [
    ...(vecDy ? [] : pixels.map((p) => `let owc${p} = min(ow0 + ${p}u, ${g.outW - 1}u);`)),
    ...range(rm).flatMap(vecDy ? vecDyLoads : scalarDyLoads),
  ];
  // Four output channels of pixel p as one vec4, to accumulate along channels.
  const dyVecs = range(groups).flatMap((q) =>
    pixels.map((p) =>
      `let dv${q}_${p} = vec4<f32>(${range(4).map((i) => `d${4 * q + i}_${p}`).join(", ")});`
    )
  );
  const kernelRow = (kh: number): string => {
    const lines = range(span).map((s) =>
      `let v${s} = select(0.0, x[xPlane + offh${kh} + offw${s}], okh${kh} & okw${s});`
    );
    for (const kw of range(g.kernelW)) {
      const tap = kh * g.kernelW + kw;
      for (const p of pixels) {
        const v = `v${p * g.strideW + kw * g.dilationW}`;
        for (const q of range(groups)) {
          lines.push(`acc${q}_${tap} = fma(dv${q}_${p}, vec4<f32>(${v}), acc${q}_${tap});`);
        }
      }
    }
    return `{\n      ${lines.join("\n      ")}\n    }`;
  };
  const stores = range(rm).map((r) => {
    const guard = coutG % rm === 0 ? "" : `if (m0 + ${r}u < ${coutG}u) `;
    return `${guard}{
    let at = ((split * ${g.outChannels}u + z * ${coutG}u + m0 + ${r}u) * ${cinG}u + c) * ${taps}u;
    ${range(taps).map((t) => `dw[at + ${t}u] = acc${r >> 2}_${t}[${r & 3}];`).join("\n    ")}
  }`;
  });
  return {
    key: `conv2d_dw_direct|${geometryKey(g)}|s${splits}`,
    workgroups: [grid[0], grid[1], g.groups],
    source: () =>
      `@group(0) @binding(0) var<storage, read> dy: array<${vecDy ? "vec4<f32>" : "f32"}>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  // Thread t = (split * cinG + c) * rowBlocks + rowBlock.
  let t = ${groupIndex(grid)} * 64u + lid.x;
  if (t >= ${threads}u) { return; }
  let z = wid.z;
  let m0 = (t % ${rowBlocks}u) * ${rm}u;
  let c = (t / ${rowBlocks}u) % ${cinG}u;
  let split = t / ${rowBlocks * cinG}u;
  ${rowChannels.join("\n  ")}
  ${accDecl.join("\n  ")}
  // Reduction unit u = (n * outH + oh) * segs + seg: pixels ow0 .. ow0+3 of output row oh.
  let uEnd = min(split * ${chunk}u + ${chunk}u, ${units}u);
  for (var u = split * ${chunk}u; u < uEnd; u++) {
    let ow0 = (u % ${segs}u) * ${DW_PIXELS}u;
    let oh = (u / ${segs}u) % ${g.outH}u;
    let n = u / ${segs * g.outH}u;
    // dyRow: offset of dy[n, 0, oh, 0] (+ ow0 on the vec4 path).
    let dyRow = n * ${g.outChannels * ohw}u + oh * ${g.outW}u${vecDy ? " + ow0" : ""};
    ${dyLoads.join("\n    ")}
    ${dyVecs.join("\n    ")}
    // The input span of the four windows (see windowLets).
    let xPlane = (n * ${g.inChannels}u + z * ${cinG}u + c) * ${hw}u;
    let iw0 = i32(ow0 * ${g.strideW}u) ${minus(g.padW)};
    let ih0 = i32(oh * ${g.strideH}u) ${minus(g.padH)};
    ${windowLets(g, span).join("\n    ")}
    ${range(g.kernelH).map(kernelRow).join("\n    ")}
  }
  ${stores.join("\n  ")}
}
`,
  };
}
