/** `Precision`: of the samples predicted as a class, the share that are it (torchmetrics 1.9). */
import type { Tensor } from "../tensor/tensor.ts";
import { type Stats, StatScoresMetric } from "./_stat_scores.ts";
import { safeDivide } from "./_safe_divide.ts";
import type { ClassificationOptions } from "./_options.ts";
import { ZERO_DIVISION_OPTIONS, zeroDivisionOf } from "./_zero_division.ts";

/** Options of Precision, Recall and F1Score: the classification options and `zeroDivision`. */
export interface ZeroDivisionOptions extends ClassificationOptions {
  /** The score of a class with nothing to divide by (default 0). */
  zeroDivision?: 0 | 1;
}

/**
 * Precision `tp / (tp + fp)`, with the inputs and options of `Accuracy` plus `zeroDivision`;
 * binary scores the positive class.
 *
 * @example
 * ```ts
 * import { metrics, tensor } from "lumen";
 * const precision = new metrics.Precision({ task: "binary" });
 * const value = precision.forward(tensor([0.8, 0.6, 0.3, 0.9]), tensor(new Int32Array([1, 0, 1, 1])));
 * console.log(await value.item()); // 0.6666666865348816
 * ```
 */
export class Precision extends StatScoresMetric {
  /** The score of a class with no predictions. */
  readonly zeroDivision: 0 | 1;

  /** Checks the options; see `ZeroDivisionOptions`. */
  constructor(options: ZeroDivisionOptions) {
    super("Precision", options, ZERO_DIVISION_OPTIONS);
    this.zeroDivision = zeroDivisionOf("Precision", options);
  }

  /** `tp / (tp + fp)`. */
  protected override score(s: Stats): Tensor {
    return safeDivide(s.tp, s.tp.add(s.fp), this.zeroDivision);
  }
}
