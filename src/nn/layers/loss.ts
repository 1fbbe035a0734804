/** Loss modules (`nn.CrossEntropyLoss`, ...): the functional losses with their options bound. */
import type { Tensor } from "../../tensor/tensor.ts";
import { Module } from "../module.ts";
import { checkOptions } from "../../util/options.ts";
import {
  type BinaryCrossEntropyOptions,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  type CrossEntropyOptions,
  l1Loss,
  type LossOptions,
  mseLoss,
} from "../functional/loss.ts";
import {
  BINARY_CROSS_ENTROPY_OPTIONS,
  CROSS_ENTROPY_OPTIONS,
  LOSS_OPTIONS,
} from "../functional/_loss_options.ts";

/**
 * Cross-entropy over logits [N, C] and int32 class targets [N] (or float32 probabilities).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "lumen";
 * const loss = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const value = loss.call(tensor([[2, 0, -1]]), tensor(new Int32Array([0])));
 * console.log(value.shape); // []
 * ```
 */
export class CrossEntropyLoss extends Module<[Tensor, Tensor], Tensor> {
  /** The options every call uses. */
  readonly options: CrossEntropyOptions;
  /** Checks the options, kept for every call. */
  constructor(options: CrossEntropyOptions = {}) {
    super();
    checkOptions("CrossEntropyLoss", options, CROSS_ENTROPY_OPTIONS);
    this.options = { ...options };
  }
  /** The loss of `logits` against `target`. */
  forward(logits: Tensor, target: Tensor): Tensor {
    return crossEntropy(logits, target, this.options);
  }
}

/**
 * Mean squared error.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "lumen";
 * console.log(await new nn.MSELoss().call(tensor([1, 2]), tensor([1, 4])).item()); // 2
 * ```
 */
export class MSELoss extends Module<[Tensor, Tensor], Tensor> {
  /** The options every call uses. */
  readonly options: LossOptions;
  /** Checks the options, kept for every call. */
  constructor(options: LossOptions = {}) {
    super();
    checkOptions("MSELoss", options, LOSS_OPTIONS);
    this.options = { ...options };
  }
  /** The loss of `input` against `target`. */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}

/**
 * Mean absolute error.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "lumen";
 * console.log(await new nn.L1Loss().call(tensor([1, 2]), tensor([1, 4])).item()); // 1
 * ```
 */
export class L1Loss extends Module<[Tensor, Tensor], Tensor> {
  /** The options every call uses. */
  readonly options: LossOptions;
  /** Checks the options, kept for every call. */
  constructor(options: LossOptions = {}) {
    super();
    checkOptions("L1Loss", options, LOSS_OPTIONS);
    this.options = { ...options };
  }
  /** The loss of `input` against `target`. */
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.options);
  }
}

/**
 * Binary cross-entropy on logits (numerically stable), with optional `posWeight` and `weight`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "lumen";
 * const loss = new nn.BCEWithLogitsLoss().call(tensor([0]), tensor([1]));
 * console.log(await loss.item()); // ≈ 0.6931
 * ```
 */
export class BCEWithLogitsLoss extends Module<[Tensor, Tensor], Tensor> {
  /** The options every call uses. */
  readonly options: BinaryCrossEntropyOptions;
  /** Checks the options, kept for every call. */
  constructor(options: BinaryCrossEntropyOptions = {}) {
    super();
    checkOptions("BCEWithLogitsLoss", options, BINARY_CROSS_ENTROPY_OPTIONS);
    this.options = { ...options };
  }
  /** The loss of `logits` against `target` probabilities. */
  forward(logits: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(logits, target, this.options);
  }
}
