/**
 * The base of Accuracy, Precision, Recall and F1Score: the state is a confusion matrix on the
 * device (2×2 for binary), from which true/false positives/negatives per class are derived and
 * reduced with torchmetrics' `average` rules.
 */
import { arange, zeros } from "../tensor/creation.ts";
import type { Tensor } from "../tensor/tensor.ts";
import {
  binaryProbabilities,
  checkLabels,
  checkSameShape,
  classScores,
  confusionMatrix,
  topKLabels,
} from "./_format.ts";
import { Metric } from "./metric.ts";
import type { ClassificationConfig, ClassificationOptions } from "./_options.ts";
import { classificationConfig } from "./_classification_config.ts";
import { safeDivide } from "./_safe_divide.ts";

/** True positives, false positives, true negatives and false negatives (float32, per class). */
export interface Stats {
  /** True positives. */
  tp: Tensor;
  /** False positives. */
  fp: Tensor;
  /** True negatives. */
  tn: Tensor;
  /** False negatives. */
  fn: Tensor;
}

/** The per-class counts of a confusion matrix [C, C] (rows: target, columns: prediction). */
function statsOf(confmat: Tensor): Stats {
  const cm = confmat.to("float32");
  const c = cm.shape[0];
  const eye = arange(c).reshape(c, 1).eq(arange(c).reshape(1, c));
  const tp = cm.mul(eye).sum(1);
  const fp = cm.sum(0).sub(tp);
  const fn = cm.sum(1).sub(tp);
  const tn = cm.sum().sub(fp.add(fn).add(tp));
  return { tp, fp, tn, fn };
}

function mapStats(s: Stats, f: (t: Tensor) => Tensor): Stats {
  return { tp: f(s.tp), fp: f(s.fp), tn: f(s.tn), fn: f(s.fn) };
}

/** Which classes count in a macro mean: by default those seen in target or prediction. */
export type MacroRule = "seen" | "inTarget";

/**
 * A classification metric counted through a confusion matrix: subclasses give the score of a
 * set of counts (elementwise, per class).
 */
export abstract class StatScoresMetric extends Metric {
  /** The checked options with their defaults. */
  readonly config: ClassificationConfig;

  /** Checks `options` against `known` for the class `owner`. */
  constructor(owner: string, options: ClassificationOptions, known?: readonly string[]) {
    super();
    this.config = classificationConfig(owner, options, known);
  }

  /** The score of counts, elementwise; `binary` for the binary task's positive class. */
  protected abstract score(s: Stats, binary: boolean): Tensor;

  /**
   * Which classes a macro mean skips: torchmetrics skips classes with tp + fp + fn = 0, or with
   * tp + fn = 0 under top-k for the metrics that pass `top_k` on (F1Score does not).
   */
  protected macroRule(): MacroRule {
    return this.config.topK === 1 ? "seen" : "inTarget";
  }

  /** A zero confusion matrix, int32 [C, C]. */
  protected override emptyState(): Tensor[] {
    const c = this.config.numClasses;
    return [zeros([c, c], { dtype: "int32" })];
  }

  /** The confusion matrix of one batch, from labels, thresholded probabilities or top-k. */
  protected override batchState(preds: Tensor, target: Tensor): Tensor[] {
    const owner = this.name;
    const { task, numClasses, threshold, topK } = this.config;
    checkLabels(owner, "target", target);
    if (task === "binary") {
      checkSameShape(owner, preds, target);
      const labels = preds.dtype === "int32" ? preds : binaryProbabilities(preds).gt(threshold);
      return [confusionMatrix(labels, target, 2)];
    }
    const scores = classScores(owner, preds, target, numClasses);
    if (scores === null) {
      if (topK !== 1) {
        throw new Error(
          `${owner} with topK ${topK} needs preds of scores [N, ${numClasses}, ...], got labels ` +
            `[${preds.shape.join(", ")}]`,
        );
      }
      return [confusionMatrix(preds, target, numClasses)];
    }
    const labels = topK === 1 ? scores.argmax(1) : topKLabels(scores, target.flatten(), topK);
    return [confusionMatrix(labels, target, numClasses)];
  }

  /** The score of the positive class (binary) or the per-class scores combined by `average`. */
  protected override computeFrom(state: readonly Tensor[]): Tensor {
    const s = statsOf(state[0]);
    if (this.config.task === "binary") {
      const positive = arange(2).eq(1);
      return this.score(mapStats(s, (t) => t.mul(positive).sum()), true);
    }
    const { average } = this.config;
    if (average === "micro") return this.score(mapStats(s, (t) => t.sum()), false);
    const perClass = this.score(s, false);
    if (average === "none") return perClass;
    let weights: Tensor;
    if (average === "weighted") weights = s.tp.add(s.fn);
    else {
      const counted = this.macroRule() === "seen" ? s.tp.add(s.fp).add(s.fn) : s.tp.add(s.fn);
      weights = counted.gt(0);
    }
    return safeDivide(weights.mul(perClass), weights.sum()).sum();
  }
}
