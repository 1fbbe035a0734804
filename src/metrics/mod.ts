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
// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
// The shared bases are exported as types only, as they were.
export * from "./metric.ts";
export * from "./accuracy.ts";
export * from "./precision.ts";
export * from "./recall.ts";
export * from "./f1_score.ts";
export * from "./mean_squared_error.ts";
export * from "./mean_absolute_error.ts";
export * from "./auroc.ts";
export type * from "./_options.ts";
export type * from "./_stat_scores.ts";
export type * from "./_errors.ts";
