/** Softmax and log-softmax along a dim, with their gradients. */
import type { Tensor } from "../tensor/tensor.ts";
import { normalizeDim, splitAt } from "../tensor/shape.ts";
import { softmaxBackwardKernel, softmaxKernel, type SoftmaxSpec } from "../../kernels/softmax.ts";
import { record, runKernel } from "./_run.ts";

/**
 * softmax(x, dim), or log_softmax when `log`: one kernel forward and one backward (the row sum
 * and the gradient in the same kernel; a workgroup per row when rows are long).
 */
export function softmax(t: Tensor, dim: number, log: boolean): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const [outer, reduced, inner] = splitAt(t.shape, d);
  const spec: SoftmaxSpec = { outer, reduced, inner, log };
  const x = t.dtype === "float32" ? t : t.to("float32");
  const out = runKernel(softmaxKernel(spec), [x], t.shape, "float32");
  if (x !== t) x.dispose();
  // Softmax: dx = y * (g - sum(g * y)); log-softmax: dx = g - exp(y) * sum(g).
  return record(out, log ? "logSoftmax" : "softmax", [t], (g) => [
    runKernel(softmaxBackwardKernel(spec), [out, g], t.shape, "float32"),
  ]);
}
