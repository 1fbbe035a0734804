/** `nn.Dropout`: random zeroing in training mode, identity in evaluation mode. */
import type { Tensor } from "../../tensor/tensor.ts";
import { dropout } from "../functional/dropout.ts";
import { Module } from "../module.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `nn.Dropout`. */
export interface DropoutLayerOptions {
  /** Probability of zeroing each element (default 0.5). */
  p?: number;
}

/** Every option name of `DropoutLayerOptions` (add a name here when adding an option above). */
const DROPOUT_OPTIONS = ["p"] as const satisfies readonly (keyof DropoutLayerOptions)[];

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1 - p) while `training`;
 * after `eval()` it passes the input through. Masks come from the seeded generator.
 *
 * @example
 * ```ts
 * import { nn, ones } from "lumen";
 * const drop = new nn.Dropout({ p: 0.25 });
 * console.log(drop.call(ones([4])).shape); // [4]
 * drop.eval();
 * console.log(await drop.call(ones([2])).data()); // Float32Array(2) [1, 1]
 * ```
 */
export class Dropout extends Module {
  /** The drop probability. */
  readonly p: number;

  /** Checks the options (default `p`: 0.5). */
  constructor(options: DropoutLayerOptions = {}) {
    super();
    checkOptions("Dropout", options, DROPOUT_OPTIONS);
    const p = options.p ?? 0.5;
    if (!(typeof p === "number" && p >= 0 && p <= 1)) {
      throw new Error(`Dropout: p must be a probability in [0, 1], got ${p}`);
    }
    this.p = p;
  }

  /** Dropout while training, identity while evaluating. */
  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training });
  }

  /** The layer's settings for `toString`. */
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
