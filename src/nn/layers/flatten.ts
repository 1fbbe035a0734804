/** `nn.Flatten`: merges a range of dims, by default all but the batch dim. */
import type { Tensor } from "../../tensor/tensor.ts";
import { Module } from "../module.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `nn.Flatten`. */
export interface FlattenOptions {
  /** First dim to merge (default 1: keep the batch dim). */
  startDim?: number;
  /** Last dim to merge (default -1). */
  endDim?: number;
}

/** Every option name of `FlattenOptions` (add a name here when adding an option above). */
const FLATTEN_OPTIONS = ["startDim", "endDim"] as const satisfies readonly (keyof FlattenOptions)[];

/**
 * Flattens dims `startDim..endDim` into one, as between a conv stack and a linear head.
 *
 * @example
 * ```ts
 * import { nn, zeros } from "lumen";
 * console.log(new nn.Flatten().call(zeros([2, 3, 4, 4])).shape); // [2, 48]
 * ```
 */
export class Flatten extends Module {
  /** First merged dim. */
  readonly startDim: number;
  /** Last merged dim. */
  readonly endDim: number;

  /** Checks the options (default: flatten every dim but the first). */
  constructor(options: FlattenOptions = {}) {
    super();
    checkOptions("Flatten", options, FLATTEN_OPTIONS);
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
  }

  /** The input with dims startDim..endDim merged. */
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  /** The layer's settings for `toString`. */
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
