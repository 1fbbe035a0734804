/** Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d over [N, C, H, W] or [C, H, W]. */
import type { Tensor } from "../../tensor/tensor.ts";
import {
  adaptiveAvgPool2d,
  type AdaptiveSize2d,
  avgPool2d,
  type AvgPool2dOptions,
  maxPool2d,
  type MaxPool2dOptions,
} from "../functional/pool.ts";
import { Module } from "../module.ts";
import { checkOptions } from "../../util/options.ts";

/** Every option name of `MaxPool2dOptions` (in F.pool; add a name here when adding one there). */
const MAX_POOL2D_OPTIONS = [
  "kernelSize",
  "stride",
  "padding",
  "dilation",
] as const satisfies readonly (keyof MaxPool2dOptions)[];

/** Every option name of `AvgPool2dOptions` (in F.pool; add a name here when adding one there). */
const AVG_POOL2D_OPTIONS = [
  "kernelSize",
  "stride",
  "padding",
  "countIncludePad",
] as const satisfies readonly (keyof AvgPool2dOptions)[];

/**
 * The maximum of each window. Options: `kernelSize`, `stride` (the window by default),
 * `padding` (0), `dilation` (1).
 *
 * @example
 * ```ts
 * import { nn, randn } from "lumen";
 * const pool = new nn.MaxPool2d({ kernelSize: 2 });
 * console.log(pool.call(randn([1, 3, 8, 8])).shape); // [1, 3, 4, 4]
 * ```
 */
export class MaxPool2d extends Module {
  /** The pooling options given to `F.maxPool2d`. */
  readonly options: Readonly<MaxPool2dOptions>;

  /** Checks the options; `kernelSize` is required. */
  constructor(options: MaxPool2dOptions) {
    super();
    checkOptions("MaxPool2d", options, MAX_POOL2D_OPTIONS);
    if (options?.kernelSize === undefined) throw new Error("MaxPool2d: kernelSize is required");
    this.options = { ...options };
  }

  /** Max over each window. */
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.options);
  }

  /** The layer's settings for `toString`. */
  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${o.kernelSize}, stride=${o.stride ?? o.kernelSize}, padding=${
      o.padding ?? 0
    }`;
  }
}

/**
 * The mean of each window. Options: `kernelSize`, `stride` (the window by default),
 * `padding` (0), `countIncludePad` (true).
 *
 * @example
 * ```ts
 * import { nn, randn } from "lumen";
 * const pool = new nn.AvgPool2d({ kernelSize: 3, stride: 2, padding: 1 });
 * console.log(pool.call(randn([1, 2, 7, 7])).shape); // [1, 2, 4, 4]
 * ```
 */
export class AvgPool2d extends Module {
  /** The pooling options given to `F.avgPool2d`. */
  readonly options: Readonly<AvgPool2dOptions>;

  /** Checks the options; `kernelSize` is required. */
  constructor(options: AvgPool2dOptions) {
    super();
    checkOptions("AvgPool2d", options, AVG_POOL2D_OPTIONS);
    if (options?.kernelSize === undefined) throw new Error("AvgPool2d: kernelSize is required");
    this.options = { ...options };
  }

  /** Mean over each window. */
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.options);
  }

  /** The layer's settings for `toString`. */
  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${o.kernelSize}, stride=${o.stride ?? o.kernelSize}, padding=${
      o.padding ?? 0
    }`;
  }
}

/** Options of `nn.AdaptiveAvgPool2d`. */
export interface AdaptiveAvgPool2dOptions {
  /** Output [height, width], or one number for both; null keeps the input's size. */
  outputSize: AdaptiveSize2d;
}

/** Every option name of `AdaptiveAvgPool2dOptions` (add a name here when adding one above). */
const ADAPTIVE_AVG_POOL2D_OPTIONS = [
  "outputSize",
] as const satisfies readonly (keyof AdaptiveAvgPool2dOptions)[];

/**
 * Averages into a fixed output size whatever the input size (windows as PyTorch splits them).
 *
 * @example
 * ```ts
 * import { nn, randn } from "lumen";
 * const gap = new nn.AdaptiveAvgPool2d({ outputSize: 1 });
 * console.log(gap.call(randn([2, 16, 5, 7])).shape); // [2, 16, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  /** The output size. */
  readonly outputSize: AdaptiveSize2d;

  /** Checks the options; `outputSize` is required. */
  constructor(options: AdaptiveAvgPool2dOptions) {
    super();
    checkOptions("AdaptiveAvgPool2d", options, ADAPTIVE_AVG_POOL2D_OPTIONS);
    if (options?.outputSize === undefined) {
      throw new Error("AdaptiveAvgPool2d: outputSize is required");
    }
    this.outputSize = options.outputSize;
  }

  /** [N, C, H, W] → [N, C, outH, outW]. */
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  /** The layer's settings for `toString`. */
  override extraRepr(): string {
    return `output_size=${JSON.stringify(this.outputSize)}`;
  }
}
