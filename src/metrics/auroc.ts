/**
 * `AUROC`: the area under the ROC curve (torchmetrics 1.9, exact thresholds), computed on the
 * device as the Mann-Whitney statistic: the share of (positive, negative) pairs ranked right,
 * ties counting one half. That is the area under torchmetrics' trapezoidal curve through every
 * distinct score, and it needs no sorting, so nothing is read back.
 */
import { mapElementwise } from "../ops/_run.ts";
import { arange, zeros } from "../tensor/creation.ts";
import type { Tensor } from "../tensor/tensor.ts";
import {
  binaryProbabilities,
  checkLabels,
  checkSameShape,
  classProbabilities,
  classScores,
} from "./_format.ts";
import type { Task } from "./_options.ts";
import { checkChoice, checkTask } from "./_classification_config.ts";
import { safeDivide } from "./_safe_divide.ts";
import { Metric } from "./metric.ts";

/** How per-class areas combine in the multiclass task. */
export type AurocAverage = "macro" | "weighted" | "none";

/** Options of `AUROC`. */
export interface AurocOptions {
  /** `"binary"` or `"multiclass"` (one class against the rest, for each class). */
  task: Task;
  /** The number of classes; required for `"multiclass"`. */
  numClasses?: number;
  /** Multiclass: the plain mean, the mean weighted by support, or one area per class. */
  average?: AurocAverage;
}

const AUROC_OPTIONS: readonly string[] = ["task", "numClasses", "average"];

/** Pairs counted right within one batch: positive `a`, negative `b`, `a` scored higher. */
const SAME_BATCH = "x1 * (1.0 - x3) * (select(0.0, 1.0, x0 > x2) + select(0.0, 0.5, x0 == x2))";
/** Across two batches, both ways round. */
const TWO_BATCHES = `${SAME_BATCH} + ` +
  "(1.0 - x1) * x3 * (select(0.0, 1.0, x2 > x0) + select(0.0, 0.5, x0 == x2))";

/** Adds tensors pairwise, as a tree: the rounding grows with log(n), not n. */
function treeSum(parts: Tensor[]): Tensor {
  let level = parts;
  while (level.length > 1) {
    const next: Tensor[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? level[i].add(level[i + 1]) : level[i]);
    }
    level = next;
  }
  return level[0];
}

/**
 * AUROC of probabilities or logits against int32 targets. Binary: preds [N, ...] (a sigmoid
 * first when any value of a batch is outside [0, 1]), target 0/1 of the same shape. Multiclass:
 * scores [N, C, ...] (a softmax over classes first when any value is outside [0, 1]), target
 * [N, ...]; each class against the rest, then `average` (default `"macro"`). A class without
 * positives or without negatives scores 0, as in torchmetrics.
 *
 * The state keeps every batch on the device, as torchmetrics does; `compute()` compares every
 * pair of batches, so it costs (batches)² small dispatches and, per pair, a temporary of
 * (batch size)² × classes floats.
 *
 * @example
 * ```ts
 * import { metrics, tensor } from "lumen";
 * const auroc = new metrics.AUROC({ task: "binary" });
 * auroc.update(tensor([0.1, 0.4, 0.35]), tensor(new Int32Array([0, 0, 1])));
 * auroc.update(tensor([0.8]), tensor(new Int32Array([1])));
 * console.log(await auroc.compute().item()); // 0.75
 * ```
 */
export class AUROC extends Metric {
  /** `"binary"` or `"multiclass"`. */
  readonly task: Task;
  /** The number of classes (1 column of scores for binary). */
  readonly numClasses: number;
  /** How per-class areas combine (multiclass). */
  readonly average: AurocAverage;

  /** Checks the options; see `AurocOptions`. */
  constructor(options: AurocOptions) {
    super();
    const { task, numClasses } = checkTask("AUROC", options, AUROC_OPTIONS);
    const average = options.average ?? "macro";
    checkChoice("AUROC", "average", average, ["macro", "weighted", "none"]);
    this.task = task;
    this.numClasses = task === "binary" ? 1 : numClasses;
    this.average = average;
  }

  /** No batches yet. */
  protected override emptyState(): Tensor[] {
    return [];
  }

  /** A batch is two tensors: probabilities [M, C] and positives (1.0/0.0) [M, C]. */
  protected override batchState(preds: Tensor, target: Tensor): Tensor[] {
    checkLabels("AUROC", "target", target);
    if (preds.dtype !== "float32") {
      throw new TypeError(`AUROC needs preds as float32 scores, got ${preds.dtype}`);
    }
    if (this.task === "binary") {
      checkSameShape("AUROC", preds, target);
      const m = preds.size;
      return [binaryProbabilities(preds.reshape(m, 1)), target.reshape(m, 1).eq(1)];
    }
    const c = this.numClasses;
    const scores = classScores("AUROC", preds, target, c);
    if (scores === null) {
      throw new Error(
        `AUROC with task "multiclass" needs preds of scores [N, ${c}, ...], got [${preds.shape}]`,
      );
    }
    const positives = target.reshape(-1, 1).eq(arange(c).reshape(1, c));
    return [classProbabilities(scores), positives];
  }

  /** The state keeps every batch. */
  protected override mergeState(state: readonly Tensor[], batch: readonly Tensor[]): Tensor[] {
    return [...state, ...batch];
  }

  /** The share of right-ranked pairs per class over all stored batches, then `average`. */
  protected override computeFrom(state: readonly Tensor[]): Tensor {
    const c = this.numClasses;
    const batches: [Tensor, Tensor][] = [];
    for (let i = 0; i < state.length; i += 2) batches.push([state[i], state[i + 1]]);
    const parts: Tensor[] = [];
    batches.forEach(([pa, ya], i) => {
      const a = [pa.reshape(pa.shape[0], 1, c), ya.reshape(ya.shape[0], 1, c)];
      for (let j = i; j < batches.length; j++) {
        const [pb, yb] = batches[j];
        const b = [pb.reshape(1, pb.shape[0], c), yb.reshape(1, yb.shape[0], c)];
        const expr = i === j ? SAME_BATCH : TWO_BATCHES;
        parts.push(mapElementwise(expr, [a[0], a[1], b[0], b[1]]).sum([0, 1]));
      }
    });
    const total = batches.reduce((n, [p]) => n + p.shape[0], 0);
    const positives = batches.length ? treeSum(batches.map(([, y]) => y.sum(0))) : zeros([c]);
    const rightPairs = parts.length ? treeSum(parts) : positives.mul(0);
    const pairs = positives.mul(positives.neg().add(total));
    const areas = safeDivide(rightPairs, pairs);
    if (this.task === "binary") return areas.reshape([]);
    if (this.average === "none") return areas;
    if (this.average === "macro") return areas.mean();
    return areas.mul(safeDivide(positives, positives.sum())).sum();
  }
}
