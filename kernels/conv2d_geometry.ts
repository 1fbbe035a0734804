/**
 * The sizes of a 2-D convolution (NCHW, torch's cross-correlation), shared by every conv kernel:
 * kernels/conv2d_direct.ts, kernels/conv2d_weight_grad.ts, kernels/conv2d_input_grad.ts and the
 * implicit-GEMM fallbacks in kernels/conv2d_gemm.ts.
 *
 * Notation: group g has cinG = C / groups input and coutG = Cout / groups output channels; a
 * kernel tap (kh, kw) of output pixel (oh, ow) reads input pixel
 * (oh * strideH - padH + kh * dilationH, ow * strideW - padW + kw * dilationW), zero outside.
 *
 * @module
 */
import { type Window2d, windowKeyParts } from "./_window2d.ts";

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

/** The geometry's sizes in a fixed order, joined for the kernels' cache keys. */
export function geometryKey(g: Conv2dGeometry): string {
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

/** Derived sizes every conv kernel needs, as numbers for the WGSL templates. */
export interface ConvSizes {
  /** Input and output channels per group. */
  cinG: number;
  coutG: number;
  /** Kernel taps: kH * kW. */
  taps: number;
  /** Pixels of an input and of an output plane. */
  hw: number;
  ohw: number;
  /** Weight elements per output channel: [cinG, kH, kW]. */
  wRow: number;
}

/** The derived sizes of `g`. */
export function convSizes(g: Conv2dGeometry): ConvSizes {
  const cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups;
  const taps = g.kernelH * g.kernelW;
  return {
    cinG,
    coutG,
    taps,
    hw: g.height * g.width,
    ohw: g.outH * g.outW,
    wRow: cinG * taps,
  };
}
