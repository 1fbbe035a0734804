/**
 * 2-D pooling over NCHW tensors viewed as `planes` = N*C independent H×W images. Forwards run one
 * thread per output pixel over its window; backwards run one thread per input pixel and gather
 * from the few windows that contain it (WGSL has no float atomics, and a gather needs none).
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex } from "./_grid.ts";
import { type Window2d, windowKeyParts } from "./_window2d.ts";

/** Sizes of a windowed pooling; window (oh, ow) starts at (oh*strideH - padH, ow*strideW - padW). */
export interface Pool2dGeometry extends Window2d {
  planes: number;
  height: number;
  width: number;
  outH: number;
  outW: number;
}

/** Sizes of an adaptive pooling: output pixel i covers [floor(i*in/out), ceil((i+1)*in/out)). */
export interface AdaptivePool2dGeometry {
  planes: number;
  height: number;
  width: number;
  outH: number;
  outW: number;
}

const WG = 64;

function poolKey(g: Pool2dGeometry): string {
  return [
    g.planes,
    g.height,
    g.width,
    g.outH,
    g.outW,
    ...windowKeyParts(g),
  ].join("x");
}

/** The thread's flat index `t` (returning when past `count`). */
function threadIndex(grid: readonly [number, number, number], count: number): string {
  return `let t = ${groupIndex(grid)} * ${WG}u + lid;
  if (t >= ${count}u) { return; }`;
}

const ENTRY = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {`;

/**
 * The gather loop of the windowed backwards: for input pixel (ih, iw), visits every output pixel
 * (oh, ow) whose window has a tap on it, i.e. ih = oh*strideH - padH + kh*dilationH for some tap
 * kh; runs `body` with `oh`, `ow` (u32) in scope.
 */
function windowsContaining(g: Pool2dGeometry, body: string): string {
  return `for (var kh = 0; kh < ${g.kernelH}; kh++) {
    let nh = ih + ${g.padH} - kh * ${g.dilationH};
    if (nh < 0 || nh % ${g.strideH} != 0 || nh / ${g.strideH} >= ${g.outH}) { continue; }
    let oh = u32(nh / ${g.strideH});
    for (var kw = 0; kw < ${g.kernelW}; kw++) {
      let nw = iw + ${g.padW} - kw * ${g.dilationW};
      if (nw < 0 || nw % ${g.strideW} != 0 || nw / ${g.strideW} >= ${g.outW}) { continue; }
      let ow = u32(nw / ${g.strideW});
      ${body}
    }
  }`;
}

/**
 * Max pooling forward: the window's maximum and its flat index ih*W + iw in the input plane (the
 * first one on ties, NaN wins, as torch). Padding is never picked. Bind x, then values and int32
 * indices (both [planes, outH, outW]).
 */
export function maxPool2dForwardKernel(g: Pool2dGeometry): KernelSpec {
  const count = g.planes * g.outH * g.outW;
  const workgroups = grid1d(count, WG);
  const source = () =>
    `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> indices: array<i32>;
${ENTRY}
  ${threadIndex(workgroups, count)}
  let plane = t / ${g.outH * g.outW}u;
  let p = t % ${g.outH * g.outW}u;
  let h0 = i32((p / ${g.outW}u) * ${g.strideH}u) - ${g.padH};
  let w0 = i32((p % ${g.outW}u) * ${g.strideW}u) - ${g.padW};
  let base = plane * ${g.height * g.width}u;
  var best = 0.0;
  var bestIndex = -1;
  for (var kh = 0; kh < ${g.kernelH}; kh++) {
    let ih = h0 + kh * ${g.dilationH};
    if (ih < 0 || ih >= ${g.height}) { continue; }
    for (var kw = 0; kw < ${g.kernelW}; kw++) {
      let iw = w0 + kw * ${g.dilationW};
      if (iw < 0 || iw >= ${g.width}) { continue; }
      let index = ih * ${g.width} + iw;
      let v = x[base + u32(index)];
      if (bestIndex < 0 || v > best || v != v) { best = v; bestIndex = index; }
    }
  }
  values[t] = best;
  indices[t] = bestIndex;
}
`;
  return { key: `maxpool2d_fwd|${poolKey(g)}`, workgroups, source };
}

/**
 * Max pooling backward: dx[ih, iw] = Σ dy[oh, ow] over the windows containing (ih, iw) whose
 * recorded argmax is (ih, iw). Bind dy, indices, then dx ([planes, H, W]).
 */
export function maxPool2dBackwardKernel(g: Pool2dGeometry): KernelSpec {
  const count = g.planes * g.height * g.width;
  const workgroups = grid1d(count, WG);
  const source = () =>
    `@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
${ENTRY}
  ${threadIndex(workgroups, count)}
  let plane = t / ${g.height * g.width}u;
  let index = i32(t % ${g.height * g.width}u);
  let ih = index / ${g.width};
  let iw = index % ${g.width};
  let base = plane * ${g.outH * g.outW}u;
  var acc = 0.0;
  ${
      windowsContaining(
        g,
        `let o = base + oh * ${g.outW}u + ow;
      if (indices[o] == index) { acc += dy[o]; }`,
      )
    }
  dx[t] = acc;
}
`;
  return { key: `maxpool2d_bwd|${poolKey(g)}`, workgroups, source };
}

/**
 * WGSL `fn divisor(oh: u32, ow: u32) -> f32`: the element count that window (oh, ow) averages over.
 * torch clips the window to the padded input first; without `countIncludePad` it then counts only
 * the real pixels.
 */
function avgDivisor(g: Pool2dGeometry, countIncludePad: boolean): string {
  return `fn divisor(oh: u32, ow: u32) -> f32 {
  var h0 = i32(oh * ${g.strideH}u) - ${g.padH};
  var w0 = i32(ow * ${g.strideW}u) - ${g.padW};
  var h1 = min(h0 + ${g.kernelH}, ${g.height + g.padH});
  var w1 = min(w0 + ${g.kernelW}, ${g.width + g.padW});
  ${
    countIncludePad ? "" : `h0 = max(h0, 0); w0 = max(w0, 0);
  h1 = min(h1, ${g.height}); w1 = min(w1, ${g.width});`
  }
  return f32((h1 - h0) * (w1 - w0));
}`;
}

/** Average pooling forward. Bind x, then the output ([planes, outH, outW]). */
export function avgPool2dForwardKernel(g: Pool2dGeometry, countIncludePad: boolean): KernelSpec {
  const count = g.planes * g.outH * g.outW;
  const workgroups = grid1d(count, WG);
  const source = () =>
    `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
${avgDivisor(g, countIncludePad)}
${ENTRY}
  ${threadIndex(workgroups, count)}
  let plane = t / ${g.outH * g.outW}u;
  let oh = (t % ${g.outH * g.outW}u) / ${g.outW}u;
  let ow = t % ${g.outW}u;
  let h0 = i32(oh * ${g.strideH}u) - ${g.padH};
  let w0 = i32(ow * ${g.strideW}u) - ${g.padW};
  let base = plane * ${g.height * g.width}u;
  var acc = 0.0;
  for (var ih = max(h0, 0); ih < min(h0 + ${g.kernelH}, ${g.height}); ih++) {
    for (var iw = max(w0, 0); iw < min(w0 + ${g.kernelW}, ${g.width}); iw++) {
      acc += x[base + u32(ih * ${g.width} + iw)];
    }
  }
  out[t] = acc / divisor(oh, ow);
}
`;
  return { key: `avgpool2d_fwd|${poolKey(g)}|${countIncludePad}`, workgroups, source };
}

/**
 * Average pooling backward: dx[ih, iw] = Σ dy[oh, ow] / divisor(oh, ow) over the windows containing
 * (ih, iw). Bind dy, then dx ([planes, H, W]).
 */
export function avgPool2dBackwardKernel(g: Pool2dGeometry, countIncludePad: boolean): KernelSpec {
  const count = g.planes * g.height * g.width;
  const workgroups = grid1d(count, WG);
  const source = () =>
    `@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
${avgDivisor(g, countIncludePad)}
${ENTRY}
  ${threadIndex(workgroups, count)}
  let plane = t / ${g.height * g.width}u;
  let ih = i32((t % ${g.height * g.width}u) / ${g.width}u);
  let iw = i32(t % ${g.width}u);
  let base = plane * ${g.outH * g.outW}u;
  var acc = 0.0;
  ${windowsContaining(g, `acc += dy[base + oh * ${g.outW}u + ow] / divisor(oh, ow);`)}
  dx[t] = acc;
}
`;
  return { key: `avgpool2d_bwd|${poolKey(g)}|${countIncludePad}`, workgroups, source };
}

function adaptiveKey(g: AdaptivePool2dGeometry): string {
  return [g.planes, g.height, g.width, g.outH, g.outW].join("x");
}

/** WGSL for the adaptive window bounds: start = floor(i*in/out), end = ceil((i+1)*in/out). */
function adaptiveBounds(g: AdaptivePool2dGeometry): string {
  return `fn startH(i: u32) -> u32 { return (i * ${g.height}u) / ${g.outH}u; }
fn endH(i: u32) -> u32 { return ((i + 1u) * ${g.height}u + ${g.outH - 1}u) / ${g.outH}u; }
fn startW(i: u32) -> u32 { return (i * ${g.width}u) / ${g.outW}u; }
fn endW(i: u32) -> u32 { return ((i + 1u) * ${g.width}u + ${g.outW - 1}u) / ${g.outW}u; }`;
}

/** Adaptive average pooling forward. Bind x, then the output ([planes, outH, outW]). */
export function adaptiveAvgPool2dForwardKernel(g: AdaptivePool2dGeometry): KernelSpec {
  const count = g.planes * g.outH * g.outW;
  const workgroups = grid1d(count, WG);
  const source = () =>
    `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
${adaptiveBounds(g)}
${ENTRY}
  ${threadIndex(workgroups, count)}
  let plane = t / ${g.outH * g.outW}u;
  let oh = (t % ${g.outH * g.outW}u) / ${g.outW}u;
  let ow = t % ${g.outW}u;
  let base = plane * ${g.height * g.width}u;
  var acc = 0.0;
  for (var ih = startH(oh); ih < endH(oh); ih++) {
    for (var iw = startW(ow); iw < endW(ow); iw++) { acc += x[base + ih * ${g.width}u + iw]; }
  }
  out[t] = acc / f32((endH(oh) - startH(oh)) * (endW(ow) - startW(ow)));
}
`;
  return { key: `adaptiveavgpool2d_fwd|${adaptiveKey(g)}`, workgroups, source };
}

/**
 * Adaptive average pooling backward: dx[ih, iw] = Σ dy[oh, ow] / area(oh, ow) over the windows
 * containing (ih, iw). Those are consecutive: the first is floor(ih*outH/H) (its window starts at
 * or before ih and ends after it), and the following ones qualify while they start at or before ih.
 * Bind dy, then dx ([planes, H, W]).
 */
export function adaptiveAvgPool2dBackwardKernel(g: AdaptivePool2dGeometry): KernelSpec {
  const count = g.planes * g.height * g.width;
  const workgroups = grid1d(count, WG);
  const source = () =>
    `@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
${adaptiveBounds(g)}
${ENTRY}
  ${threadIndex(workgroups, count)}
  let plane = t / ${g.height * g.width}u;
  let ih = (t % ${g.height * g.width}u) / ${g.width}u;
  let iw = t % ${g.width}u;
  let base = plane * ${g.outH * g.outW}u;
  var acc = 0.0;
  for (var oh = (ih * ${g.outH}u) / ${g.height}u; oh < ${g.outH}u && startH(oh) <= ih; oh++) {
    for (var ow = (iw * ${g.outW}u) / ${g.width}u; ow < ${g.outW}u && startW(ow) <= iw; ow++) {
      let area = f32((endH(oh) - startH(oh)) * (endW(ow) - startW(ow)));
      acc += dy[base + oh * ${g.outW}u + ow] / area;
    }
  }
  dx[t] = acc;
}
`;
  return { key: `adaptiveavgpool2d_bwd|${adaptiveKey(g)}`, workgroups, source };
}
