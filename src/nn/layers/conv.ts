/** `nn.Conv2d`: 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]). */
import type { Tensor } from "../../tensor/tensor.ts";
import { conv2d, type Size2d } from "../functional/conv2d.ts";
import { Module } from "../module.ts";
import { checkInt, defaultBias, defaultWeight } from "./_params.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `nn.Conv2d`; sizes are one number for both dims or [height, width]. */
export interface Conv2dLayerOptions {
  /** Channels of the input. */
  inChannels: number;
  /** Channels of the output (filters). */
  outChannels: number;
  /** Window size. */
  kernelSize: Size2d;
  /** Step between windows (default 1). */
  stride?: Size2d;
  /** Zeros added on each side (default 0); "same" keeps the size at stride 1. */
  padding?: Size2d | "valid" | "same";
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2d;
  /** Channel groups; both channel counts must divide by it (default 1). */
  groups?: number;
  /** Whether to add a learned bias (default true). */
  bias?: boolean;
}

/** Every option name of `Conv2dLayerOptions` (add a name here when adding an option above). */
const CONV2D_OPTIONS = [
  "inChannels",
  "outChannels",
  "kernelSize",
  "stride",
  "padding",
  "dilation",
  "groups",
  "bias",
] as const satisfies readonly (keyof Conv2dLayerOptions)[];

function pair(v: Size2d): [number, number] {
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/**
 * A 2-D convolution with `weight` [outChannels, inChannels/groups, kH, kW] and `bias`
 * [outChannels], both from U(±1/sqrt(fanIn)) with fanIn = inChannels/groups·kH·kW (PyTorch's
 * default).
 *
 * @example
 * ```ts
 * import { nn, randn } from "lumen";
 * const conv = new nn.Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1 });
 * console.log(conv.call(randn([2, 3, 16, 16])).shape); // [2, 8, 16, 16]
 * ```
 */
export class Conv2d extends Module {
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly outChannels: number;
  /** [kH, kW] */
  readonly kernelSize: [number, number];
  /** [sH, sW] */
  readonly stride: [number, number];
  /** [pH, pW], or "valid" / "same". */
  readonly padding: [number, number] | "valid" | "same";
  /** [dH, dW] */
  readonly dilation: [number, number];
  /** Channel groups. */
  readonly groups: number;
  /** [outChannels, inChannels / groups, kH, kW] */
  declare weight: Tensor;
  /** [outChannels], or null without bias. */
  declare bias: Tensor | null;

  /** Checks the options and creates the parameters (torch's default initialisation). */
  constructor(options: Conv2dLayerOptions) {
    super();
    checkOptions("Conv2d", options, CONV2D_OPTIONS);
    this.inChannels = checkInt("Conv2d", "inChannels", options?.inChannels, 1);
    this.outChannels = checkInt("Conv2d", "outChannels", options.outChannels, 1);
    if (options.kernelSize === undefined) throw new Error("Conv2d: kernelSize is required");
    this.kernelSize = pair(options.kernelSize);
    this.stride = pair(options.stride ?? 1);
    const padding = options.padding ?? 0;
    this.padding = typeof padding === "string" ? padding : pair(padding);
    this.dilation = pair(options.dilation ?? 1);
    this.groups = checkInt("Conv2d", "groups", options.groups ?? 1, 1);
    if (this.inChannels % this.groups || this.outChannels % this.groups) {
      throw new Error(
        `Conv2d: inChannels (${this.inChannels}) and outChannels (${this.outChannels}) must divide by groups (${this.groups})`,
      );
    }
    for (const k of this.kernelSize) checkInt("Conv2d", "kernelSize", k, 1);
    const shape = [this.outChannels, this.inChannels / this.groups, ...this.kernelSize];
    this.registerParameter("weight", defaultWeight(shape));
    const fanIn = shape[1] * shape[2] * shape[3];
    this.registerParameter(
      "bias",
      options.bias ?? true ? defaultBias(this.outChannels, fanIn) : null,
    );
  }

  /** [N, inChannels, H, W] → [N, outChannels, H', W'] (or the unbatched forms). */
  forward(x: Tensor): Tensor {
    const channelDim = x.ndim - 3;
    if ((x.ndim !== 3 && x.ndim !== 4) || x.shape[channelDim] !== this.inChannels) {
      throw new Error(
        `Conv2d expects [N, ${this.inChannels}, H, W] or [${this.inChannels}, H, W], got [${x.shape}]`,
      );
    }
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }

  /** The layer's settings for `toString`. */
  override extraRepr(): string {
    const pad = typeof this.padding === "string" ? `'${this.padding}'` : `(${this.padding})`;
    return `${this.inChannels}, ${this.outChannels}, kernel_size=(${this.kernelSize}), stride=(${this.stride}), padding=${pad}`;
  }
}
