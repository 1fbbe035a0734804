/** A convolution's weight gradient through im2col and the matmul (conv2d's GPU path). */
import type { Tensor } from "../../tensor/tensor.ts";
import { matmulRaw } from "../../ops/matmul.ts";
import { runKernel } from "../../ops/_run.ts";
import { sum } from "../../ops/reduce.ts";
import type { Conv2dGeometry } from "../../../kernels/conv2d_geometry.ts";
import { im2colKernel } from "../../../kernels/im2col.ts";

/** dW = Σ_n dy[n] ([Cout, outH·outW]) · im2col(x)[n] ([outH·outW, Cin·KH·KW]); groups = 1. */
export function weightGradByColumns(
  dy: Tensor,
  x: Tensor,
  weight: Tensor,
  g: Conv2dGeometry,
): Tensor {
  const ohw = g.outH * g.outW;
  const row = g.inChannels * g.kernelH * g.kernelW;
  const cols = runKernel(im2colKernel(g), [x], [g.batch, ohw, row], "float32");
  const dy3 = dy.share([g.batch, g.outChannels, ohw]);
  const perImage = matmulRaw(dy3, cols);
  dy3.dispose();
  cols.dispose();
  const summed = sum(perImage, 0);
  perImage.dispose();
  const dw = summed.share(weight.shape);
  summed.dispose();
  return dw;
}
