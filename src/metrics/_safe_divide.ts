/** Division that gives a chosen score where there is nothing to divide by. */
import type { Tensor } from "../tensor/tensor.ts";

/**
 * `num / den`, and `zeroDivision` where `den` is 0 (torchmetrics' `_safe_divide`). Every `den`
 * here counts something, so it is a whole number, and `num` is 0 where it is.
 */
export function safeDivide(num: Tensor, den: Tensor, zeroDivision = 0): Tensor {
  const q = num.div(den.maximum(1));
  return zeroDivision === 0 ? q : q.add(den.eq(0).mul(zeroDivision));
}
