/** `nn.Linear`: a fully connected layer. */
import type { Tensor } from "../../tensor/tensor.ts";
import { linear } from "../functional/linear.ts";
import { Module } from "../module.ts";
import { checkInt, checkLastDim, defaultBias, defaultWeight } from "./_params.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `nn.Linear`. */
export interface LinearOptions {
  /** Size of each input's last dim. */
  inFeatures: number;
  /** Size of each output's last dim. */
  outFeatures: number;
  /** Whether to add a learned bias (default true). */
  bias?: boolean;
}

/** Every option name of `LinearOptions` (add a name here when adding an option above). */
const LINEAR_OPTIONS = [
  "inFeatures",
  "outFeatures",
  "bias",
] as const satisfies readonly (keyof LinearOptions)[];

/**
 * y = x·Wᵀ + b over the last dim. `weight` is [outFeatures, inFeatures], `bias` [outFeatures];
 * both start from U(±1/sqrt(inFeatures)) as in PyTorch.
 *
 * @example
 * ```ts
 * import { nn, randn } from "lumen";
 * const fc = new nn.Linear({ inFeatures: 784, outFeatures: 10 });
 * console.log(fc.call(randn([32, 784])).shape); // [32, 10]
 * ```
 */
export class Linear extends Module {
  /** The input size. */
  readonly inFeatures: number;
  /** The output size. */
  readonly outFeatures: number;
  /** [outFeatures, inFeatures] */
  declare weight: Tensor;
  /** [outFeatures], or null without bias. */
  declare bias: Tensor | null;

  /** Checks the options and creates the parameters (torch's default initialisation). */
  constructor(options: LinearOptions) {
    super();
    checkOptions("Linear", options, LINEAR_OPTIONS);
    this.inFeatures = checkInt("Linear", "inFeatures", options?.inFeatures, 0);
    this.outFeatures = checkInt("Linear", "outFeatures", options?.outFeatures, 0);
    this.registerParameter("weight", defaultWeight([this.outFeatures, this.inFeatures]));
    this.registerParameter(
      "bias",
      options.bias ?? true ? defaultBias(this.outFeatures, this.inFeatures) : null,
    );
  }

  /** [..., inFeatures] → [..., outFeatures]. */
  forward(x: Tensor): Tensor {
    checkLastDim("Linear", x, this.inFeatures, "inFeatures");
    return linear(x, this.weight, this.bias);
  }

  /**
   * The layer then `activation` in one kernel (`F.linear`'s `activation` option): what
   * nn.Sequential runs for a Linear directly followed by a ReLU.
   */
  forwardActivated(x: Tensor, activation: "relu"): Tensor {
    checkLastDim("Linear", x, this.inFeatures, "inFeatures");
    return linear(x, this.weight, this.bias, { activation });
  }

  /** The layer's settings for `toString`. */
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${
      this.bias !== null
    }`;
  }
}
