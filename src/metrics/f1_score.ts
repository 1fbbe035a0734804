/** `F1Score`: the harmonic mean of precision and recall (torchmetrics 1.9). */
import type { Tensor } from "../tensor/tensor.ts";
import { type MacroRule, type Stats, StatScoresMetric } from "./_stat_scores.ts";
import { safeDivide } from "./_safe_divide.ts";
import type { ZeroDivisionOptions } from "./precision.ts";
import { ZERO_DIVISION_OPTIONS, zeroDivisionOf } from "./_zero_division.ts";

/**
 * F1 `2·tp / (2·tp + fp + fn)`, with the inputs and options of `Precision`; binary scores the
 * positive class. A macro mean always skips the classes absent from both targets and
 * predictions (torchmetrics does not pass `top_k` to this rule for F1).
 *
 * @example
 * ```ts
 * import { metrics, tensor } from "lumen";
 * const f1 = new metrics.F1Score({ task: "binary" });
 * const value = f1.forward(tensor([0.8, 0.6, 0.3, 0.9]), tensor(new Int32Array([1, 0, 1, 1])));
 * console.log(await value.item()); // 0.6666666865348816
 * ```
 */
export class F1Score extends StatScoresMetric {
  /** The score of a class with nothing to divide by. */
  readonly zeroDivision: 0 | 1;

  /** Checks the options; see `ZeroDivisionOptions`. */
  constructor(options: ZeroDivisionOptions) {
    super("F1Score", options, ZERO_DIVISION_OPTIONS);
    this.zeroDivision = zeroDivisionOf("F1Score", options);
  }

  /** `2·tp / (2·tp + fp + fn)`. */
  protected override score(s: Stats): Tensor {
    const twoTp = s.tp.mul(2);
    return safeDivide(twoTp, twoTp.add(s.fn).add(s.fp), this.zeroDivision);
  }

  /** Always `"seen"`: torchmetrics does not pass `top_k` to F1's weights. */
  protected override macroRule(): MacroRule {
    return "seen";
  }
}
