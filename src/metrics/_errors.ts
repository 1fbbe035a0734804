/** The base of the regression errors: a sum of per-element errors and a count, on the device. */
import { mapElementwise } from "../ops/_run.ts";
import { full, zeros } from "../tensor/creation.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { checkSameShape } from "./_format.ts";
import { Metric } from "./metric.ts";

/**
 * A mean of `error(preds - target)` over every element seen: the state is the float32 sum and
 * the int32 count of elements.
 */
export abstract class MeanErrorMetric extends Metric {
  /** The WGSL expression of one element's error, of the difference `d`. */
  protected abstract readonly errorOf: (d: string) => string;

  /** A zero sum and a zero count. */
  protected override emptyState(): Tensor[] {
    return [zeros([]), zeros([], { dtype: "int32" })];
  }

  /** The sum of the errors of one batch and its number of elements. */
  protected override batchState(preds: Tensor, target: Tensor): Tensor[] {
    checkSameShape(this.name, preds, target);
    const errors = mapElementwise(this.errorOf("(x0 - x1)"), [preds, target]);
    return [errors.sum(), full([], preds.size, { dtype: "int32" })];
  }

  /** The mean error (`sum / count`) of a state. */
  protected meanOf(state: readonly Tensor[]): Tensor {
    return state[0].div(state[1]);
  }
}
