/** `nn.LayerNorm`: normalisation over the last dims of each sample. */
import type { Tensor } from "../../tensor/tensor.ts";
import { ones, zeros } from "../../tensor/creation.ts";
import { layerNorm } from "../functional/norm.ts";
import { Module } from "../module.ts";
import { checkInt } from "./_params.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `nn.LayerNorm`. */
export interface LayerNormOptions {
  /** The trailing shape normalised over: one size or a list. */
  normalizedShape: number | readonly number[];
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a scale and shift of `normalizedShape` (default true). */
  elementwiseAffine?: boolean;
  /** With `elementwiseAffine`, whether the shift is learned too (default true). */
  bias?: boolean;
}

/** Every option name of `LayerNormOptions` (add a name here when adding an option above). */
const LAYER_NORM_OPTIONS = [
  "normalizedShape",
  "eps",
  "elementwiseAffine",
  "bias",
] as const satisfies readonly (keyof LayerNormOptions)[];

/**
 * Normalises each sample over its last dims, then scales by `weight` (ones at first) and shifts
 * by `bias` (zeros at first).
 *
 * @example
 * ```ts
 * import { nn, randn } from "lumen";
 * const ln = new nn.LayerNorm({ normalizedShape: 16 });
 * console.log(ln.call(randn([4, 10, 16])).shape); // [4, 10, 16]
 * ```
 */
export class LayerNorm extends Module {
  /** The normalised trailing shape. */
  readonly normalizedShape: readonly number[];
  /** Variance epsilon. */
  readonly eps: number;
  /** Whether `weight` (and `bias`) are learned. */
  readonly elementwiseAffine: boolean;
  /** Scale of `normalizedShape`, or null. */
  declare weight: Tensor | null;
  /** Shift of `normalizedShape`, or null. */
  declare bias: Tensor | null;

  /** Checks the options and creates the affine parameters (weight 1, bias 0). */
  constructor(options: LayerNormOptions) {
    super();
    checkOptions("LayerNorm", options, LAYER_NORM_OPTIONS);
    const given = options?.normalizedShape;
    const shape = typeof given === "number" ? [given] : given ? [...given] : [];
    if (!shape.length) throw new Error(`LayerNorm: normalizedShape must be given, got ${given}`);
    for (const d of shape) checkInt("LayerNorm", "normalizedShape", d, 1);
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    const affine = this.elementwiseAffine;
    this.registerParameter("weight", affine ? ones(shape) : null);
    this.registerParameter("bias", affine && (options.bias ?? true) ? zeros(shape) : null);
  }

  /** [..., ...normalizedShape] → same shape. */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  /** The layer's settings for `toString`. */
  override extraRepr(): string {
    return `(${this.normalizedShape}), eps=${this.eps}, elementwise_affine=${this.elementwiseAffine}`;
  }
}
