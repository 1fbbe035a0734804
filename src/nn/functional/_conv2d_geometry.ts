/** conv2d's geometry: shapes and options resolved for the kernels (shared with its tests). */
import type { Tensor } from "../../tensor/tensor.ts";
import type { Conv2dGeometry } from "../../../kernels/conv2d_geometry.ts";
import type { Conv2dOptions } from "./conv2d.ts";
import { pair, windowCount } from "./_size2d.ts";

/** Resolves shapes and options into the kernel geometry, with torch-like errors. */
export function conv2dGeometry(x: Tensor, weight: Tensor, options: Conv2dOptions): Conv2dGeometry {
  if (x.ndim !== 4) throw new Error(`conv2d needs a [N, C, H, W] input, got [${x.shape}]`);
  if (weight.ndim !== 4) {
    throw new Error(`conv2d needs a [Cout, C/groups, kH, kW] weight, got [${weight.shape}]`);
  }
  const [batch, inChannels, height, width] = x.shape;
  const [outChannels, cinG, kernelH, kernelW] = weight.shape;
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) {
    throw new Error(`conv2d groups must be a positive integer, got ${groups}`);
  }
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(
      `conv2d groups (${groups}) must divide the input channels (${inChannels}) and output channels (${outChannels})`,
    );
  }
  if (cinG !== inChannels / groups) {
    throw new Error(
      `conv2d weight [${weight.shape}] expects ${
        cinG * groups
      } input channels with groups=${groups}, got ${inChannels}`,
    );
  }
  if (kernelH < 1 || kernelW < 1) throw new Error(`conv2d kernel is empty: [${weight.shape}]`);
  const [strideH, strideW] = pair(options.stride ?? 1, "conv2d stride", 1);
  const [dilationH, dilationW] = pair(options.dilation ?? 1, "conv2d dilation", 1);
  const padding = options.padding ?? 0;
  let padH: number, padW: number, outH: number, outW: number;
  if (padding === "same") {
    if (strideH !== 1 || strideW !== 1) {
      throw new Error(`conv2d padding "same" needs stride 1, got [${strideH}, ${strideW}]`);
    }
    // Total padding d*(k-1); the smaller half goes first.
    padH = Math.floor((dilationH * (kernelH - 1)) / 2);
    padW = Math.floor((dilationW * (kernelW - 1)) / 2);
    [outH, outW] = [height, width];
  } else {
    [padH, padW] = padding === "valid" ? [0, 0] : pair(padding, "conv2d padding", 0);
    outH = windowCount(height, kernelH, strideH, padH, padH, dilationH);
    outW = windowCount(width, kernelW, strideW, padW, padW, dilationW);
  }
  if (outH < 1 || outW < 1) {
    throw new Error(
      `conv2d output would be empty: input ${height}x${width}, kernel ${kernelH}x${kernelW}, ` +
        `padding ${padH}x${padW}, dilation ${dilationH}x${dilationW} give ${outH}x${outW}`,
    );
  }
  return {
    batch,
    inChannels,
    height,
    width,
    outChannels,
    kernelH,
    kernelW,
    strideH,
    strideW,
    padH,
    padW,
    dilationH,
    dilationW,
    groups,
    outH,
    outW,
  };
}
