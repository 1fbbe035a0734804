/**
 * The direct forward convolution, the fast path: a thread computes a block of output channels ×
 * consecutive output pixels of one row, loading each kernel row's input span once
 * (kernels/conv2d_window.ts) and the weight, repacked first by conv2dPackWeightKernel, as vec4s
 * over output channels. The input gradient runs on the same kernel as a convolution over dy
 * (kernels/conv2d_input_grad.ts).
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex } from "./_grid.ts";
import { type Conv2dGeometry, convSizes, geometryKey } from "./conv2d_geometry.ts";
import { forwardColumns, minus, range, spanOf, windowLets } from "./conv2d_window.ts";

/**
 * Repacks the weight [Cout, cinG, kH, kW] for conv2dForwardKernel as P[c, kh, kw, m], the output
 * channel m innermost, so one vec4 load gives a tap's weight for four output channels.
 * Forward: c is the input channel within its group and m the output channel (Cout of them).
 * `forInputGrad` (see kernels/conv2d_input_grad.ts): c is the output channel within its group, m = z*cinG + ci
 * the input channel, and the taps are flipped. Bind the weight, then P (as many elements).
 */
export function conv2dPackWeightKernel(g: Conv2dGeometry, forInputGrad: boolean): KernelSpec {
  const { cinG, coutG, taps } = convSizes(g);
  const inner = forInputGrad ? g.inChannels : g.outChannels;
  const assign = forInputGrad
    ? `let ci = m % ${cinG}u;
  let co = (m / ${cinG}u) * ${coutG}u + c;
  p[i] = w[(co * ${cinG}u + ci) * ${taps}u + ${taps - 1}u - tap];`
    : `p[i] = w[(m * ${cinG}u + c) * ${taps}u + tap];`;
  // P is [cinG, taps, Cout] for the forward, [coutG, taps, C] for the input gradient.
  const key = `conv2d_pack|${geometryKey(g)}|${forInputGrad}`;
  return packKernel(key, forInputGrad ? coutG : cinG, taps, inner, assign);
}

/**
 * The skeleton of the repacking kernels: thread i writes P[i] = P[c, tap, m] for P of shape
 * [cCount, taps, inner] (i = (c * taps + tap) * inner + m); `assign` is the WGSL that reads the
 * weight w into p[i] given the u32 lets i, m, tap and c.
 */
export function packKernel(
  key: string,
  cCount: number,
  taps: number,
  inner: number,
  assign: string,
): KernelSpec {
  const total = cCount * taps * inner;
  const grid = grid1d(total, 64);
  return {
    key,
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
  ${assign}
}
`,
  };
}

/**
 * Where conv2dForwardKernel writes when it computes one sub-pixel phase of a larger output: its
 * output pixel (oh, ow) goes to pixel (offsetH + oh*strideH, offsetW + ow*strideW) of
 * [N, outChannels, height, width] planes. Without one, the output is the geometry's own.
 */
export interface OutputLattice {
  height: number;
  width: number;
  strideH: number;
  strideW: number;
  offsetH: number;
  offsetW: number;
}

function latticeKey(l: OutputLattice): string {
  return `at${l.height}x${l.width}+${l.offsetH}+${l.offsetW}/${l.strideH}x${l.strideW}`;
}

/**
 * Forward, direct: out[n, z*coutG + m, oh, ow] = bias + Σ_(c,kh,kw) P[c, kh, kw, z*coutG + m] ·
 * x[n, z*cinG + c, oh*strideH - padH + kh*dilationH, ow*strideW - padW + kw*dilationW], with P
 * from conv2dPackWeightKernel. A thread computes rm output channels × rn consecutive pixels of one
 * output row: per input channel and kernel row it loads the span of input pixels those rn windows
 * cover ((rn-1)*strideW + (kW-1)*dilationW + 1, e.g. 10 for 8 pixels of a 3x3 conv) once and
 * reuses them for every kW tap, and the weights as vec4s over output channels. Also computes
 * input gradients, one sub-pixel phase at a time written through `lattice` (see
 * kernels/conv2d_input_grad.ts). Bind x, P, [bias], then the output.
 */
export function conv2dForwardKernel(
  g: Conv2dGeometry,
  hasBias: boolean,
  lattice?: OutputLattice,
): KernelSpec {
  const { cinG, coutG, taps, hw } = convSizes(g);
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
      return `${colGuard}{ out[outRow${r} + ${lattice ? c * lattice.strideW : c}u] = ${value}; }`;
    });
    const outRow = lattice
      ? `((n * ${g.outChannels}u + channel${r}) * ${lattice.height}u + ${lattice.offsetH}u + oh * ${lattice.strideH}u) * ${lattice.width}u + ${lattice.offsetW}u + ow0 * ${lattice.strideW}u`
      : `((n * ${g.outChannels}u + channel${r}) * ${g.outH}u + oh) * ${g.outW}u + ow0`;
    return `${rowGuard}{
    let channel${r} = z * ${coutG}u + m0 + ${r}u;
    let outRow${r} = ${outRow};
    ${cols.join("\n    ")}
  }`;
  });
  return {
    key: `conv2d_fwd_direct|${geometryKey(g)}|${hasBias}${
      lattice ? `|${latticeKey(lattice)}` : ""
    }`,
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
