/**
 * The sliding window shared by 2-D convolution and pooling kernels: tap (kh, kw) of output pixel
 * (oh, ow) reads input pixel (oh * strideH - padH + kh * dilationH, ow * strideW - padW +
 * kw * dilationW).
 *
 * @module
 */

/** Sizes of a 2-D window, all resolved to numbers. */
export interface Window2d {
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  /** Padding before the first row/column (the far side's padding is implied by outH/outW). */
  padH: number;
  padW: number;
  /** Spacing of the window's taps (average pooling uses 1). */
  dilationH: number;
  dilationW: number;
}

/** The window's sizes in a fixed order, for the kernels' cache keys. */
export function windowKeyParts(g: Window2d): number[] {
  return [g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW];
}
