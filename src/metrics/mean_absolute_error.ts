/** `MeanAbsoluteError`: the mean of `|preds - target|` (torchmetrics 1.9). */
import type { Tensor } from "../tensor/tensor.ts";
import { checkOptions } from "../util/options.ts";
import { MeanErrorMetric } from "./_errors.ts";

/**
 * The mean absolute error over every element of every batch (preds and target of one shape).
 * It takes no options.
 *
 * @example
 * ```ts
 * import { metrics, tensor } from "lumen";
 * const mae = new metrics.MeanAbsoluteError();
 * mae.update(tensor([1, 2]), tensor([2, 2]));
 * mae.update(tensor([0, 5]), tensor([3, 5]));
 * console.log(await mae.compute().item()); // 1
 * ```
 */
export class MeanAbsoluteError extends MeanErrorMetric {
  /** The absolute difference. */
  protected override readonly errorOf = (d: string): string => `abs(${d})`;

  /** `options` must be empty (it exists so that configs can pass `{}`). */
  constructor(options: Record<string, never> = {}) {
    super();
    checkOptions("MeanAbsoluteError", options, []);
  }

  /** The mean. */
  protected override computeFrom(state: readonly Tensor[]): Tensor {
    return this.meanOf(state);
  }
}
