/** The options the classification metrics share (checked in _classification_config.ts). */

/** Which kind of classification: one probability per sample, or one of `numClasses` labels. */
export type Task = "binary" | "multiclass";

/**
 * How per-class scores combine: `micro` counts over all classes, `macro` is their plain mean,
 * `weighted` weighs each by its support, `none` keeps one score per class.
 */
export type Average = "micro" | "macro" | "weighted" | "none";

/** Options of Accuracy, Precision, Recall and F1Score (torchmetrics' names in camelCase). */
export interface ClassificationOptions {
  /** `"binary"` or `"multiclass"`. */
  task: Task;
  /** The number of classes; required for `"multiclass"`. */
  numClasses?: number;
  /** Binary: a probability at or below this is class 0 (default 0.5). */
  threshold?: number;
  /** Multiclass: a sample is right when its target is among its `topK` scores (default 1). */
  topK?: number;
  /** Multiclass: how per-class scores combine (default `"micro"`). */
  average?: Average;
}

/** The checked options, with defaults filled in (`numClasses` is 2 for binary). */
export interface ClassificationConfig {
  /** `"binary"` or `"multiclass"`. */
  task: Task;
  /** The number of classes (2 for binary). */
  numClasses: number;
  /** The binary threshold: a probability above it is class 1. */
  threshold: number;
  /** How many of the highest scores count as a hit. */
  topK: number;
  /** How per-class scores combine (multiclass). */
  average: Average;
}
