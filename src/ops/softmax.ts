/** Softmax and log-softmax along a dim, with their gradients. */
import type { Tensor } from "../tensor/tensor.ts";
import { normalizeDim, splitAt } from "../tensor/shape.ts";
import { softmaxKernel } from "../../kernels/softmax.ts";
import { mapElementwise, record, runKernel } from "./_run.ts";
import { sum } from "./reduce.ts";

/** softmax(x, dim), or log_softmax when `log`. */
export function softmax(t: Tensor, dim: number, log: boolean): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const [outer, reduced, inner] = splitAt(t.shape, d);
  const x = t.dtype === "float32" ? t : t.to("float32");
  const out = runKernel(softmaxKernel({ outer, reduced, inner, log }), [x], t.shape, "float32");
  if (x !== t) x.dispose();
  return record(out, log ? "logSoftmax" : "softmax", [t], (g) => {
    if (log) {
      // dx = g - exp(y) * sum(g)
      const total = sum(g, d, true);
      const res = mapElementwise("x0 - exp(x1) * x2", [g, out, total]);
      total.dispose();
      return [res];
    }
    // dx = y * (g - sum(g * y))
    const gy = mapElementwise("x0 * x1", [g, out]);
    const total = sum(gy, d, true);
    const res = mapElementwise("x1 * (x0 - x2)", [g, out, total]);
    gy.dispose();
    total.dispose();
    return [res];
  });
}
