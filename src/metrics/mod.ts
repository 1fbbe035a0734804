/**
 * Metrics with torchmetrics' names and definitions (1.9), accumulated on the device: `update`
 * and `forward` never read a value back, `compute` returns a device tensor.
 *
 * ```yaml
 * metrics:
 *   train:
 *     - _target_: lumen.metrics.Accuracy
 *       task: multiclass
 *       num_classes: 10
 * ```
 *
 * @module
 */
export { Metric } from "./metric.ts";
export { Accuracy } from "./accuracy.ts";
export { Precision, type ZeroDivisionOptions } from "./precision.ts";
export { Recall } from "./recall.ts";
export { F1Score } from "./f1_score.ts";
export { MeanSquaredError, type MeanSquaredErrorOptions } from "./mean_squared_error.ts";
export { MeanAbsoluteError } from "./mean_absolute_error.ts";
export { AUROC, type AurocAverage, type AurocOptions } from "./auroc.ts";
export type { Average, ClassificationConfig, ClassificationOptions, Task } from "./_options.ts";
export type { MacroRule, Stats, StatScoresMetric } from "./_stat_scores.ts";
export type { MeanErrorMetric } from "./_errors.ts";
