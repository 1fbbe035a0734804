/**
 * The direct weight gradient: a thread owns a block of output channels × every tap of one input
 * channel and walks its share of the reduction over (n, oh, ow) four output pixels at a time,
 * loading each kernel row's input span once (kernels/conv2d_window.ts). The reduction is split
 * into chunks whose partial sums the caller adds up.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex } from "./_grid.ts";
import { type Conv2dGeometry, convSizes, geometryKey } from "./conv2d_geometry.ts";
import { DW_PIXELS, minus, range, spanOf, windowLets } from "./conv2d_window.ts";

/** Output channels per weight-gradient thread: whole vec4 accumulators along channels. */
function weightGradRows(coutG: number): number {
  return coutG >= 8 ? 8 : 4;
}

/** K-splits of conv2dWeightGradKernel: enough threads for both cores, chunks not too small. */
export function weightGradSplits(g: Conv2dGeometry): number {
  const { cinG, coutG } = convSizes(g);
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
  const { cinG, coutG, taps, hw, ohw } = convSizes(g);
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
