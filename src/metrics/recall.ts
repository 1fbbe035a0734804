/** `Recall`: of the samples of a class, the share predicted as it (torchmetrics 1.9). */
import type { Tensor } from "../tensor/tensor.ts";
import { type Stats, StatScoresMetric } from "./_stat_scores.ts";
import { safeDivide } from "./_safe_divide.ts";
import type { ZeroDivisionOptions } from "./precision.ts";
import { ZERO_DIVISION_OPTIONS, zeroDivisionOf } from "./_zero_division.ts";

/**
 * Recall `tp / (tp + fn)`, with the inputs and options of `Precision`; binary scores the
 * positive class.
 *
 * @example
 * ```ts
 * import { metrics, tensor } from "lumen";
 * const recall = new metrics.Recall({ task: "multiclass", numClasses: 3, average: "macro" });
 * const value = recall.forward(tensor(new Int32Array([0, 2, 1, 1])), tensor(new Int32Array([0, 1, 1, 2])));
 * console.log(await value.item()); // 0.5
 * ```
 */
export class Recall extends StatScoresMetric {
  /** The score of a class with no samples. */
  readonly zeroDivision: 0 | 1;

  /** Checks the options; see `ZeroDivisionOptions`. */
  constructor(options: ZeroDivisionOptions) {
    super("Recall", options, ZERO_DIVISION_OPTIONS);
    this.zeroDivision = zeroDivisionOf("Recall", options);
  }

  /** `tp / (tp + fn)`. */
  protected override score(s: Stats): Tensor {
    return safeDivide(s.tp, s.tp.add(s.fn), this.zeroDivision);
  }
}
