/**
 * `CriterionAdapter` and `MetricsAdapter`: which argument of the loss or metric receives the
 * input, the target and the prediction, after their transforms.
 *
 * @module
 */
import { checkOptions } from "../util/options.ts";
import { checkOptionsObject, show, typeName } from "./_describe.ts";
import type { Transform, TransformsOption } from "./transforms.ts";
import { applyTransforms, transformList } from "./_transforms.ts";

/**
 * Where a value goes in the call: an integer position (0, 1, ...), a string name (collected into
 * the options object passed last), or null (not passed).
 */
export type Argument = number | string | null;

/** Options of `CriterionAdapter` and `MetricsAdapter` (YAML: `pred_argument`, ...). */
export interface ArgumentsAdapterOptions {
  /** Where the input goes (default null: not passed). */
  inputArgument?: Argument;
  /** Where the target goes (default null: not passed). */
  targetArgument?: Argument;
  /** Where the prediction goes (default null: not passed). */
  predArgument?: Argument;
  /** Applied to the input first (needs `inputArgument`). */
  inputTransforms?: TransformsOption;
  /** Applied to the target first (needs `targetArgument`). */
  targetTransforms?: TransformsOption;
  /** Applied to the prediction first (needs `predArgument`). */
  predTransforms?: TransformsOption;
}

/**
 * A function the adapter calls (a loss, or every metric of a mode). Typed with `never`
 * parameters so that a function of any argument types fits.
 */
export type AdaptedFunction = (...args: never[]) => unknown;

/** What a criterion or metrics adapter does: calls `fn` with input, target and pred in place. */
export interface ArgumentsAdapterLike {
  /** Calls `fn` with the (transformed) values at their positions or names; returns its result. */
  call(fn: AdaptedFunction, input: unknown, target: unknown, pred: unknown): unknown;
}

const ARGUMENT_OPTIONS = [
  "inputArgument",
  "targetArgument",
  "predArgument",
  "inputTransforms",
  "targetTransforms",
  "predTransforms",
] as const;

const PARTS = ["input", "target", "pred"] as const;

/**
 * The shared rules of `CriterionAdapter` and `MetricsAdapter` (Lighter's
 * `_ArgumentsAndTransformsAdapter`): transforms run first, then the function is called with each
 * value at its argument. Integer positions must be `0..n-1` without gaps. JavaScript has no
 * keyword arguments, so the values given string names are collected into ONE options object
 * passed as the last positional argument: `predArgument: 0, targetArgument: "target"` calls
 * `fn(pred, {target})`.
 *
 * @example
 * ```ts
 * import { adapters } from "lumen";
 * const adapter = new adapters.ArgumentsAdapter({ predArgument: 0, targetArgument: "target" });
 * console.log(adapter.call((...args: unknown[]) => args, "input", "y", "p")); // ["p", { target: "y" }]
 * ```
 */
export class ArgumentsAdapter implements ArgumentsAdapterLike {
  /** Where the input goes. */
  readonly inputArgument: Argument;
  /** Where the target goes. */
  readonly targetArgument: Argument;
  /** Where the prediction goes. */
  readonly predArgument: Argument;
  /** The input's transforms, in order. */
  readonly inputTransforms: readonly Transform[];
  /** The target's transforms, in order. */
  readonly targetTransforms: readonly Transform[];
  /** The prediction's transforms, in order. */
  readonly predTransforms: readonly Transform[];

  /** Checks option names, argument types, the consecutive positions and the transforms. */
  constructor(options: ArgumentsAdapterOptions = {}) {
    const owner = new.target.name;
    checkOptionsObject(owner, options, ARGUMENT_OPTIONS);
    checkOptions(owner, options, ARGUMENT_OPTIONS);
    const o = options ?? {};
    const args = PARTS.map((part) => checkArgument(owner, `${part}Argument`, o[`${part}Argument`]));
    for (const [i, part] of PARTS.entries()) {
      const transforms = o[`${part}Transforms`];
      if (args[i] === null && transforms !== undefined && transforms !== null) {
        const label = part[0].toUpperCase() + part.slice(1);
        throw new Error(
          `${owner}: ${label} transforms provided but ${part}_argument is None`,
        );
      }
    }
    const positions = args.filter((a): a is number => typeof a === "number").sort((a, b) => a - b);
    if (positions.some((p, i) => p !== i)) {
      throw new Error(
        `${owner}: Positional arguments must be consecutive integers starting from 0. ` +
          `Got ${positions.join(", ")}`,
      );
    }
    [this.inputArgument, this.targetArgument, this.predArgument] = args;
    this.inputTransforms = transformList(owner, o.inputTransforms);
    this.targetTransforms = transformList(owner, o.targetTransforms);
    this.predTransforms = transformList(owner, o.predTransforms);
  }

  /**
   * Transforms input, target and pred, places each at its argument (positions in order, names in
   * one options object passed last), calls `fn` and returns its result.
   */
  call(fn: AdaptedFunction, input: unknown, target: unknown, pred: unknown): unknown {
    const values = [
      applyTransforms(input, this.inputTransforms),
      applyTransforms(target, this.targetTransforms),
      applyTransforms(pred, this.predTransforms),
    ];
    const where = [this.inputArgument, this.targetArgument, this.predArgument];
    const args: unknown[] = [];
    const named: Record<string, unknown> = {};
    where.forEach((w, i) => {
      // Placed at the index itself (Lighter's list.insert misplaces some permutations).
      if (typeof w === "number") args[w] = values[i];
      else if (typeof w === "string") named[w] = values[i];
    });
    if (Object.keys(named).length > 0) args.push(named);
    return (fn as (...a: unknown[]) => unknown)(...args);
  }
}

function checkArgument(owner: string, name: string, value: unknown): Argument {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || (typeof value === "number" && Number.isInteger(value))) {
    return value;
  }
  throw new TypeError(
    `${owner}: Invalid ${name} type: ${typeName(value)} ${show(value)}; expected an integer ` +
      `position, a string name or null`,
  );
}

/**
 * Lighter's `CriterionAdapter`: calls the loss with the input, target and prediction at the
 * given positions or names, after their transforms. The default of train and val modes is
 * `{predArgument: 0, targetArgument: 1}`: `criterion(pred, target)`.
 *
 * @example
 * ```ts
 * import { adapters } from "lumen";
 * const adapter = new adapters.CriterionAdapter({
 *   predArgument: 0,
 *   targetArgument: 1,
 *   inputArgument: "weight",
 *   targetTransforms: (t: number) => t * 2,
 * });
 * const criterion = (pred: number, target: number, o: { weight: number }) =>
 *   o.weight * (pred - target);
 * console.log(adapter.call(criterion, 3, 1, 10)); // 24
 * ```
 */
export class CriterionAdapter extends ArgumentsAdapter {}

/**
 * Lighter's `MetricsAdapter`: calls the metrics of a mode (each one's `forward`) with the input,
 * target and prediction at the given positions or names, after their transforms. The default of
 * train, val and test modes is `{predArgument: 0, targetArgument: 1}`: `metric.forward(pred,
 * target)`.
 *
 * @example
 * ```ts
 * import { adapters } from "lumen";
 * const adapter = new adapters.MetricsAdapter({
 *   predArgument: 0,
 *   targetArgument: 1,
 *   predTransforms: [(p: number[]) => p.indexOf(Math.max(...p))],
 * });
 * const same = (pred: number, target: number) => pred === target;
 * console.log(adapter.call(same, null, 2, [0.1, 0.2, 0.7])); // true
 * ```
 */
export class MetricsAdapter extends ArgumentsAdapter {}
