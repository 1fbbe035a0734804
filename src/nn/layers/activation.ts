/** Activation layers: ReLU, GELU, Sigmoid, Tanh (elementwise, no parameters). */
import type { Tensor } from "../../tensor/tensor.ts";
import { Module } from "../module.ts";

/** Throws when an activation layer is given any option (`inplace`, `approximate`, ...). */
function checkNoOptions(owner: string, options: object | undefined): void {
  const key = options ? Object.keys(options)[0] : undefined;
  if (key !== undefined) {
    throw new TypeError(`${owner} has no option '${key}': it takes no options`);
  }
}

/**
 * max(x, 0), elementwise.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "lumen";
 * console.log(await new nn.ReLU().call(tensor([-1, 2])).data()); // Float32Array(2) [0, 2]
 * ```
 */
export class ReLU extends Module {
  /** Takes no options (an empty object keeps configs' one-options-object form). */
  constructor(options: Record<string, never> = {}) {
    super();
    checkNoOptions("ReLU", options);
  }

  /** Elementwise max(x, 0). */
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/**
 * GELU, the exact form x·Φ(x) (PyTorch's default `approximate="none"`).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "lumen";
 * console.log(await new nn.GELU().call(tensor([0, 1])).data()); // ≈ Float32Array(2) [0, 0.8413]
 * ```
 */
export class GELU extends Module {
  /** Takes no options (an empty object keeps configs' one-options-object form). */
  constructor(options: Record<string, never> = {}) {
    super();
    checkNoOptions("GELU", options);
  }

  /** Elementwise x·Φ(x). */
  forward(x: Tensor): Tensor {
    return x.gelu();
  }
}

/**
 * 1 / (1 + e^-x), elementwise.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "lumen";
 * console.log(await new nn.Sigmoid().call(tensor([0])).data()); // Float32Array(1) [0.5]
 * ```
 */
export class Sigmoid extends Module {
  /** Takes no options (an empty object keeps configs' one-options-object form). */
  constructor(options: Record<string, never> = {}) {
    super();
    checkNoOptions("Sigmoid", options);
  }

  /** Elementwise logistic function. */
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/**
 * Hyperbolic tangent, elementwise.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "lumen";
 * console.log(await new nn.Tanh().call(tensor([0])).data()); // Float32Array(1) [0]
 * ```
 */
export class Tanh extends Module {
  /** Takes no options (an empty object keeps configs' one-options-object form). */
  constructor(options: Record<string, never> = {}) {
    super();
    checkNoOptions("Tanh", options);
  }

  /** Elementwise tanh. */
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}
