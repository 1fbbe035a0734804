/** `LoggingAdapter`: transforms of the step output that callbacks and writers see. */
import { checkOptions } from "../util/options.ts";
import { checkOptionsObject } from "./_describe.ts";
import type { Transform, TransformsOption } from "./transforms.ts";
import { applyTransforms, transformList } from "./_transforms.ts";

/** Options of `LoggingAdapter` (YAML: `input_transforms`, ...). */
export interface LoggingAdapterOptions {
  /** Applied to the input before it goes into the step output. */
  inputTransforms?: TransformsOption;
  /** Applied to the target before it goes into the step output. */
  targetTransforms?: TransformsOption;
  /** Applied to the prediction before it goes into the step output (e.g. argmax for a writer). */
  predTransforms?: TransformsOption;
}

/** What a logging adapter does: transforms input, target and prediction for the step output. */
export interface LoggingAdapterLike {
  /** Returns the transformed `[input, target, pred]`. */
  call(input: unknown, target: unknown, pred: unknown): [unknown, unknown, unknown];
}

const LOGGING_OPTIONS = ["inputTransforms", "targetTransforms", "predTransforms"] as const;

/**
 * Lighter's `LoggingAdapter`: transforms applied to the input, target and prediction of the step
 * output (what callbacks such as the prediction writers receive). Loss and metrics are computed
 * before, from the untransformed values.
 *
 * @example
 * ```ts
 * import { adapters } from "lumen";
 * const logging = new adapters.LoggingAdapter({ predTransforms: (p: number) => p * 10 });
 * console.log(logging.call("x", 1, 2)); // ["x", 1, 20]
 * ```
 */
export class LoggingAdapter implements LoggingAdapterLike {
  /** The input's transforms, in order. */
  readonly inputTransforms: readonly Transform[];
  /** The target's transforms, in order. */
  readonly targetTransforms: readonly Transform[];
  /** The prediction's transforms, in order. */
  readonly predTransforms: readonly Transform[];

  /** Checks the option names and that every transform is a function. */
  constructor(options: LoggingAdapterOptions = {}) {
    checkOptionsObject("LoggingAdapter", options, LOGGING_OPTIONS);
    checkOptions("LoggingAdapter", options, LOGGING_OPTIONS);
    const o = options ?? {};
    this.inputTransforms = transformList("LoggingAdapter", o.inputTransforms);
    this.targetTransforms = transformList("LoggingAdapter", o.targetTransforms);
    this.predTransforms = transformList("LoggingAdapter", o.predTransforms);
  }

  /** Returns `[input, target, pred]`, each through its transforms. */
  call(input: unknown, target: unknown, pred: unknown): [unknown, unknown, unknown] {
    return [
      applyTransforms(input, this.inputTransforms),
      applyTransforms(target, this.targetTransforms),
      applyTransforms(pred, this.predTransforms),
    ];
  }
}
