/** 2-D pooling (max, average, adaptive average) over [N, C, H, W] or [C, H, W], with gradients. */
import type { Tensor } from "../../tensor/tensor.ts";
import { launch, record, runKernel } from "../../ops/_run.ts";
import {
  adaptiveAvgPool2dBackwardKernel,
  adaptiveAvgPool2dForwardKernel,
  type AdaptivePool2dGeometry,
  avgPool2dBackwardKernel,
  avgPool2dForwardKernel,
  maxPool2dBackwardKernel,
  maxPool2dForwardKernel,
  type Pool2dGeometry,
} from "../../../kernels/pool.ts";
import { pair, type Size2d, windowCount } from "./_size2d.ts";

/** Options shared by the windowed poolings; sizes are one number or [height, width]. */
export interface Pool2dOptions {
  /** Window size. */
  kernelSize: Size2d;
  /** Step between windows; the window size by default. */
  stride?: Size2d;
  /** Implicit padding on each side (0 by default), at most half the window. */
  padding?: Size2d;
}

/** Options of `F.maxPool2d`. */
export interface MaxPool2dOptions extends Pool2dOptions {
  /** Spacing between window taps (1 by default). */
  dilation?: Size2d;
}

/** Options of `F.avgPool2d`. */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Whether padded zeros count in the average's divisor (true by default, as torch). */
  countIncludePad?: boolean;
}

/** Output size of `F.adaptiveAvgPool2d`: one number, or [height, width] (null keeps that dim). */
export type AdaptiveSize2d = number | readonly [number | null, number | null];

/** [planes, H, W] of a 3-D or 4-D float32 input, or a clear error. */
function planesOf(x: Tensor, op: string): [number, number, number] {
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(`${op} needs a [N, C, H, W] or [C, H, W] input, got [${x.shape}]`);
  }
  if (x.dtype !== "float32") throw new Error(`${op} needs a float32 input, got ${x.dtype}`);
  const [h, w] = x.shape.slice(-2);
  return [x.shape.slice(0, -2).reduce((a, b) => a * b, 1), h, w];
}

function windowGeometry(
  x: Tensor,
  op: string,
  options: Pool2dOptions,
  dilation: Size2d,
): Pool2dGeometry {
  const [planes, height, width] = planesOf(x, op);
  const [kernelH, kernelW] = pair(options.kernelSize, `${op} kernelSize`, 1);
  const [strideH, strideW] = pair(options.stride ?? [kernelH, kernelW], `${op} stride`, 1);
  const [padH, padW] = pair(options.padding ?? 0, `${op} padding`, 0);
  const [dilationH, dilationW] = pair(dilation, `${op} dilation`, 1);
  // torch's rule: padding at most half the dilated window, so no window is all padding.
  const halfH = Math.floor(((kernelH - 1) * dilationH + 1) / 2);
  const halfW = Math.floor(((kernelW - 1) * dilationW + 1) / 2);
  if (padH > halfH || padW > halfW) {
    throw new Error(
      `${op} padding must be at most half the window (${halfH}x${halfW}), got ${padH}x${padW}`,
    );
  }
  const outH = windowCount(height, kernelH, strideH, padH, padH, dilationH);
  const outW = windowCount(width, kernelW, strideW, padW, padW, dilationW);
  if (outH < 1 || outW < 1) {
    throw new Error(
      `${op} output would be empty: input ${height}x${width}, window ${kernelH}x${kernelW} give ${outH}x${outW}`,
    );
  }
  return {
    planes,
    height,
    width,
    outH,
    outW,
    kernelH,
    kernelW,
    strideH,
    strideW,
    padH,
    padW,
    dilationH,
    dilationW,
  };
}

/** The input's shape with the last two dims replaced by the output's. */
function outShape(x: Tensor, outH: number, outW: number): number[] {
  return [...x.shape.slice(0, -2), outH, outW];
}

/**
 * Max pooling over 2-D windows, as torch's `F.max_pool2d` (floor mode). The gradient flows to the
 * position of each window's maximum, the first one on ties.
 *
 * @example
 * ```ts
 * import { F, tensor } from "lumen";
 * const x = tensor([[[[1, 2, 5, 3], [4, 0, 1, 1]]]]);
 * const y = F.maxPool2d(x, { kernelSize: 2 });
 * console.log(await y.array()); // [[[[4, 5]]]]
 * ```
 */
export function maxPool2d(x: Tensor, options: MaxPool2dOptions): Tensor {
  const g = windowGeometry(x, "maxPool2d", options, options.dilation ?? 1);
  const shape = outShape(x, g.outH, g.outW);
  const [values, indices] = launch(maxPool2dForwardKernel(g), [x], [
    { shape, dtype: "float32" },
    { shape, dtype: "int32" },
  ]);
  // The indices live as long as the graph needs them (freed with it, or now when not recorded).
  return record(
    values,
    "maxPool2d",
    [x],
    (dy) => [runKernel(maxPool2dBackwardKernel(g), [dy, indices], x.shape, "float32")],
    [indices],
  );
}

/**
 * Average pooling over 2-D windows, as torch's `F.avg_pool2d` (floor mode). With
 * `countIncludePad` (the default) padded zeros count in each window's divisor.
 *
 * @example
 * ```ts
 * import { F, tensor } from "lumen";
 * const x = tensor([[[[1, 2, 5, 3], [4, 0, 1, 1]]]]);
 * const y = F.avgPool2d(x, { kernelSize: 2 });
 * console.log(await y.array()); // [[[[1.75, 2.5]]]]
 * ```
 */
export function avgPool2d(x: Tensor, options: AvgPool2dOptions): Tensor {
  const g = windowGeometry(x, "avgPool2d", options, 1);
  const includePad = options.countIncludePad ?? true;
  const out = runKernel(
    avgPool2dForwardKernel(g, includePad),
    [x],
    outShape(x, g.outH, g.outW),
    "float32",
  );
  return record(out, "avgPool2d", [x], (dy) => [
    runKernel(avgPool2dBackwardKernel(g, includePad), [dy], x.shape, "float32"),
  ]);
}

/**
 * Average pooling to a fixed output size, as torch's `F.adaptive_avg_pool2d`: output pixel i
 * averages input rows floor(i*H/outH) to ceil((i+1)*H/outH) - 1 (and likewise for columns), so
 * windows may overlap when the sizes do not divide.
 *
 * @example
 * ```ts
 * import { F, randn } from "lumen";
 * const x = randn([2, 8, 7, 7]);
 * console.log(F.adaptiveAvgPool2d(x, 1).shape); // [2, 8, 1, 1]
 * console.log(F.adaptiveAvgPool2d(x, [3, null]).shape); // [2, 8, 3, 7]
 * ```
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize2d): Tensor {
  const [planes, height, width] = planesOf(x, "adaptiveAvgPool2d");
  const [oh, ow] = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize;
  const outH = oh ?? height, outW = ow ?? width;
  if (![outH, outW].every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error(
      `adaptiveAvgPool2d output size must be positive integers, got ${JSON.stringify(outputSize)}`,
    );
  }
  if (height < 1 || width < 1) {
    throw new Error(`adaptiveAvgPool2d needs a non-empty image, got [${x.shape}]`);
  }
  const g: AdaptivePool2dGeometry = { planes, height, width, outH, outW };
  const out = runKernel(adaptiveAvgPool2dForwardKernel(g), [x], outShape(x, outH, outW), "float32");
  return record(out, "adaptiveAvgPool2d", [x], (dy) => [
    runKernel(adaptiveAvgPool2dBackwardKernel(g), [dy], x.shape, "float32"),
  ]);
}
