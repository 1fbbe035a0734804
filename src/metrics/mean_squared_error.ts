/** `MeanSquaredError`: the mean of `(preds - target)²`, or its root (torchmetrics 1.9). */
import type { Tensor } from "../tensor/tensor.ts";
import { checkOptions } from "../util/options.ts";
import { MeanErrorMetric } from "./_errors.ts";

/** Options of `MeanSquaredError`. */
export interface MeanSquaredErrorOptions {
  /** `false` gives the root mean squared error (default `true`). */
  squared?: boolean;
}

/**
 * The mean squared error over every element of every batch (preds and target of one shape).
 *
 * @example
 * ```ts
 * import { metrics, tensor } from "lumen";
 * const mse = new metrics.MeanSquaredError();
 * console.log(await mse.forward(tensor([1, 2, 3]), tensor([1, 4, 4])).item()); // 1.6666666269302368
 * const rmse = new metrics.MeanSquaredError({ squared: false });
 * console.log(await rmse.forward(tensor([0, 0]), tensor([3, 4])).item()); // 3.535533905029297
 * ```
 */
export class MeanSquaredError extends MeanErrorMetric {
  /** `false` for the root of the mean. */
  readonly squared: boolean;
  /** The squared difference. */
  protected override readonly errorOf = (d: string): string => `${d} * ${d}`;

  /** Checks the options; see `MeanSquaredErrorOptions`. */
  constructor(options: MeanSquaredErrorOptions = {}) {
    super();
    checkOptions("MeanSquaredError", options, ["squared"]);
    const squared = options?.squared ?? true;
    if (typeof squared !== "boolean") {
      throw new TypeError(
        `MeanSquaredError option 'squared' must be a boolean, got ${JSON.stringify(squared)}`,
      );
    }
    this.squared = squared;
  }

  /** The mean, or its square root when `squared` is false. */
  protected override computeFrom(state: readonly Tensor[]): Tensor {
    const mean = this.meanOf(state);
    return this.squared ? mean : mean.sqrt();
  }
}
