/**
 * The input window of the direct conv kernels (kernels/conv2d_direct.ts,
 * kernels/conv2d_weight_grad.ts). Their threads own a run of consecutive output pixels along one
 * row, so the windows of those pixels overlap: per kernel row a thread loads the span of input
 * pixels they cover once and reuses it for every tap of the row. On lavapipe every storage load is
 * a per-lane gather, so loads, not FMAs, set the speed. The code is unrolled over the taps and the
 * span, which bounds the windows these kernels take (directConvFits).
 *
 * @module
 */
import type { Conv2dGeometry } from "./conv2d_geometry.ts";

/** [0, 1, ..., n-1], for unrolling WGSL. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** `x - v` in WGSL for a signed constant v (the input-gradient geometry can pad by -1 or less). */
export const minus = (v: number): string => (v >= 0 ? `- ${v}` : `+ ${-v}`);

/**
 * Output pixels a forward thread computes along one row (its columns of C). Rows of 5 to 7 pixels
 * take 8 too: four would need two threads covering 8 columns anyway, and reuse the span less.
 */
export function forwardColumns(outW: number): number {
  return outW > 4 ? 8 : 4;
}

/** Output pixels a weight-gradient thread takes per step of its reduction (one vec4 of dy). */
export const DW_PIXELS = 4;

/** Input pixels along a row that `cols` consecutive outputs read: the span of their windows. */
export function spanOf(cols: number, stride: number, kernel: number, dilation: number): number {
  return (cols - 1) * stride + (kernel - 1) * dilation + 1;
}

/**
 * WGSL lets locating a thread's input window, given i32 lets `ih0` and `iw0` (the top-left input
 * pixel, negative inside the padding): span pixel s is column iw0 + s and kernel row kh is row
 * ih0 + kh*dilationH. Outside the image (a negative coordinate wraps to a huge u32, so one compare
 * per dim) the flag okw{s} / okh{kh} is false and the offset offw{s} / offh{kh} clamped to 0, so
 * `select(0.0, x[plane + offh{kh} + offw{s}], okh{kh} & okw{s})` reads in bounds.
 */
export function windowLets(g: Conv2dGeometry, span: number): string[] {
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
