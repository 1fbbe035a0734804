/** `Accuracy`: the share of samples whose predicted class is the target, as torchmetrics 1.9. */
import type { Tensor } from "../tensor/tensor.ts";
import { type Stats, StatScoresMetric } from "./_stat_scores.ts";
import { safeDivide } from "./_safe_divide.ts";
import type { ClassificationOptions } from "./_options.ts";

/**
 * Accuracy for `task: "binary"` (probabilities or logits [N, ...], thresholded; a sigmoid first
 * when any value is outside [0, 1]) or `task: "multiclass"` (scores [N, C, ...] with argmax or
 * top-k, or int32 labels [N, ...]), against int32 targets. `average` (multiclass, default
 * `"micro"`) combines the per-class recall `tp / (tp + fn)`; a macro mean skips classes that
 * appear in neither targets nor predictions.
 *
 * @example
 * ```ts
 * import { metrics, tensor } from "lumen";
 * const acc = new metrics.Accuracy({ task: "multiclass", numClasses: 3 });
 * const logits = tensor([[2, 1, 0], [0, 3, 1], [1, 0, 2], [0, 2, 1]]);
 * const value = acc.forward(logits, tensor(new Int32Array([0, 1, 1, 1])));
 * console.log(await value.item()); // 0.75
 * const top2 = new metrics.Accuracy({ task: "multiclass", numClasses: 3, topK: 2 });
 * console.log(await top2.forward(logits, tensor(new Int32Array([0, 1, 0, 2]))).item()); // 1
 * ```
 */
export class Accuracy extends StatScoresMetric {
  /** Checks the options; see `ClassificationOptions`. */
  constructor(options: ClassificationOptions) {
    super("Accuracy", options);
  }

  /** `(tp + tn) / all` for binary, else `tp / (tp + fn)`. */
  protected override score(s: Stats, binary: boolean): Tensor {
    if (binary) return safeDivide(s.tp.add(s.tn), s.tp.add(s.tn).add(s.fp).add(s.fn));
    return safeDivide(s.tp, s.tp.add(s.fn));
  }
}
