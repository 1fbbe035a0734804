/**
 * Turning a batch into what the metrics count, with torchmetrics' rules and without a readback:
 * shape checks (shapes are on the host), the logits test done on the device, top-k labels and
 * the confusion matrix as one product of one-hot matrices.
 */
import { mapElementwise } from "../ops/_run.ts";
import { matmulRaw } from "../ops/matmul.ts";
import { arange, zeros } from "../tensor/creation.ts";
import type { Tensor } from "../tensor/tensor.ts";

function shapeText(t: Tensor): string {
  return `[${t.shape.join(", ")}]`;
}

/** Throws unless `preds` and `target` have the same shape. */
export function checkSameShape(owner: string, preds: Tensor, target: Tensor): void {
  const same = preds.ndim === target.ndim && preds.shape.every((d, i) => d === target.shape[i]);
  if (!same) {
    throw new Error(
      `${owner} needs preds and target of the same shape, got ${shapeText(preds)} and ${
        shapeText(target)
      }`,
    );
  }
}

/** Throws unless `t` holds integer labels (int32). */
export function checkLabels(owner: string, what: string, t: Tensor): void {
  if (t.dtype !== "int32") {
    throw new TypeError(`${owner} needs ${what} as int32 class labels, got ${t.dtype}`);
  }
}

/**
 * torchmetrics' logits rule on the device: `when` where any element of `preds` lies outside
 * [0, 1], else `preds` itself (one flag reduced on the device, then one select).
 */
function ifOutsideUnit(preds: Tensor, when: Tensor): Tensor {
  const flag = mapElementwise("select(0.0, 1.0, x0 < 0.0 || x0 > 1.0)", [preds]).max();
  return mapElementwise("select(x0, x1, x2 > 0.0)", [preds, when, flag]);
}

/** Binary probabilities: a sigmoid first when any value is outside [0, 1] (logits). */
export function binaryProbabilities(preds: Tensor): Tensor {
  return ifOutsideUnit(preds, preds.sigmoid());
}

/** Class probabilities [N, C]: a softmax over classes first when any value is outside [0, 1]. */
export function classProbabilities(preds: Tensor): Tensor {
  return ifOutsideUnit(preds, preds.softmax(1));
}

/**
 * Scores [N, C, ...] as rows [N·..., C], with the class dim last, checked against target
 * [N, ...]; `null` when `preds` has the shape of `target` (labels, not scores).
 */
export function classScores(
  owner: string,
  preds: Tensor,
  target: Tensor,
  numClasses: number,
): Tensor | null {
  if (preds.ndim === target.ndim) {
    checkSameShape(owner, preds, target);
    return null;
  }
  const fits = preds.ndim === target.ndim + 1 && preds.shape[1] === numClasses &&
    target.shape.every((d, i) => d === preds.shape[i === 0 ? 0 : i + 1]);
  if (!fits) {
    throw new Error(
      `${owner} needs preds [N, ${numClasses}, ...] of scores or [N, ...] of labels with target ` +
        `[N, ...], got preds ${shapeText(preds)} and target ${shapeText(target)}`,
    );
  }
  if (preds.ndim === 2) return preds.detach();
  const order = [0, ...preds.shape.slice(2).map((_, i) => i + 2), 1];
  return preds.permute(order).reshape(-1, numClasses);
}

/**
 * The predicted label of each row of `scores` [M, C] with top-k, as torchmetrics 1.9 counts it:
 * the target when it is among the k highest scores, else the highest (float32 [M]).
 */
export function topKLabels(scores: Tensor, target: Tensor, k: number): Tensor {
  const [m, c] = scores.shape;
  const classes = arange(c).reshape(1, c);
  const column = target.reshape(m, 1);
  const targetScore = mapElementwise("select(0.0, x0, x1 == x2)", [scores, column, classes])
    .sum(1, true);
  const above = mapElementwise("select(0.0, 1.0, x0 > x1)", [scores, targetScore]).sum(1);
  return mapElementwise(`select(x2, x1, x0 < ${k}.0)`, [
    above,
    target.reshape(m),
    scores.argmax(1),
  ]);
}

/**
 * The confusion matrix of one batch, int32 [C, C] with targets as rows and predictions as
 * columns: one-hot(target)ᵀ · one-hot(labels), so every count is exact. Labels outside 0..C-1
 * are not counted (checking them would need a readback).
 */
export function confusionMatrix(labels: Tensor, target: Tensor, numClasses: number): Tensor {
  const m = target.size;
  if (m === 0) return zeros([numClasses, numClasses], { dtype: "int32" });
  const classes = arange(numClasses).reshape(1, numClasses);
  const targetHot = target.reshape(m, 1).eq(classes);
  const predHot = labels.reshape(m, 1).eq(classes);
  return matmulRaw(targetHot, predHot, { transA: true }).to("int32");
}
