/**
 * Parameter initialisation with PyTorch's formulas, drawn from lumen's seeded generator
 * (`manualSeed`). Each function fills an existing tensor in place and returns it, as
 * `torch.nn.init.*_` do; layers use them for their default initialisation.
 *
 * @module
 */
import type { Tensor } from "../tensor/tensor.ts";
import { full, rand, randn } from "../tensor/creation.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { assign } from "../ops/assign.ts";

/** Nonlinearities known to `calculateGain`. */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

/** Options of the Kaiming (He) initialisers. */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU after this layer (default 0). */
  a?: number;
  /** Keep the variance of the forward pass ("fanIn", default) or of the backward pass ("fanOut"). */
  mode?: "fanIn" | "fanOut";
  /** The nonlinearity whose gain applies (default "leaky_relu"). */
  nonlinearity?: Nonlinearity;
}

/**
 * The recommended gain for a nonlinearity (PyTorch's `calculate_gain`).
 *
 * @example
 * ```ts
 * import { nn } from "lumen";
 * console.log(nn.init.calculateGain("relu")); // 1.4142135623730951
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
  }
  throw new Error(`calculateGain(): unknown nonlinearity '${nonlinearity}'`);
}

/**
 * Fan-in and fan-out of a weight: `[out, in, ...kernel]` gives in*k and out*k.
 *
 * @example
 * ```ts
 * import { nn } from "lumen";
 * console.log(nn.init.fans([16, 3, 3, 3])); // { fanIn: 27, fanOut: 144 }
 * ```
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new Error(`Fan in and fan out need a tensor of 2 or more dims, got shape [${shape}]`);
  }
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

// Writes `values` into `target`'s memory and frees `values`: the tensor keeps its identity.
function fillFrom(target: Tensor, values: Tensor): Tensor {
  if (target.dtype !== "float32") {
    throw new Error(`Initialisers fill float32 tensors, got ${target.dtype}`);
  }
  assign(target, values);
  values.dispose();
  return target;
}

/**
 * Fills `t` with samples of U(low, high).
 *
 * @example
 * ```ts
 * import { nn, zeros } from "lumen";
 * const w = nn.init.uniform(zeros([3, 4]), -0.1, 0.1);
 * console.log((await w.data()).every((v) => Math.abs(v) <= 0.1)); // true
 * ```
 */
export function uniform(t: Tensor, low = 0, high = 1): Tensor {
  return noGrad(() => {
    const u = rand(t.shape);
    const scaled = u.mul(high - low);
    u.dispose();
    const shifted = scaled.add(low);
    scaled.dispose();
    return fillFrom(t, shifted);
  });
}

/**
 * Fills `t` with samples of N(mean, std²).
 *
 * @example
 * ```ts
 * import { nn, zeros } from "lumen";
 * const w = nn.init.normal(zeros([100]), 0, 0.02);
 * console.log(w.shape); // [100]
 * ```
 */
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  return noGrad(() => {
    const z = randn(t.shape);
    const scaled = z.mul(std);
    z.dispose();
    const shifted = scaled.add(mean);
    scaled.dispose();
    return fillFrom(t, shifted);
  });
}

/**
 * Fills `t` with `value`.
 *
 * @example
 * ```ts
 * import { nn, zeros } from "lumen";
 * console.log(await nn.init.constant(zeros([2]), 3).data()); // Float32Array(2) [3, 3]
 * ```
 */
export function constant(t: Tensor, value: number): Tensor {
  return noGrad(() => fillFrom(t, full(t.shape, value)));
}

/**
 * Fills `t` with ones.
 *
 * @example
 * ```ts
 * import { nn, zeros } from "lumen";
 * console.log(await nn.init.ones(zeros([2])).data()); // Float32Array(2) [1, 1]
 * ```
 */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/**
 * Fills `t` with zeros.
 *
 * @example
 * ```ts
 * import { nn, ones } from "lumen";
 * console.log(await nn.init.zeros(ones([2])).data()); // Float32Array(2) [0, 0]
 * ```
 */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const { fanIn, fanOut } = fans(t.shape);
  const fan = (o.mode ?? "fanIn") === "fanIn" ? fanIn : fanOut;
  const gain = calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0);
  return fan === 0 ? 0 : gain / Math.sqrt(fan);
}

/**
 * He uniform initialisation: U(-b, b) with b = gain·sqrt(3 / fan). Layers use `a = sqrt(5)`, which
 * gives PyTorch's default U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
 *
 * @example
 * ```ts
 * import { nn, zeros } from "lumen";
 * const w = nn.init.kaimingUniform(zeros([8, 16]), { nonlinearity: "relu" });
 * console.log(w.shape); // [8, 16]
 * ```
 */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, -bound, bound);
}

/**
 * He normal initialisation: N(0, (gain / sqrt(fan))²).
 *
 * @example
 * ```ts
 * import { nn, zeros } from "lumen";
 * const w = nn.init.kaimingNormal(zeros([8, 16]), { mode: "fanOut", nonlinearity: "relu" });
 * console.log(w.shape); // [8, 16]
 * ```
 */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, options));
}

/**
 * Glorot uniform initialisation: U(-b, b) with b = gain·sqrt(6 / (fanIn + fanOut)).
 *
 * @example
 * ```ts
 * import { nn, zeros } from "lumen";
 * const w = nn.init.xavierUniform(zeros([8, 16]));
 * console.log(w.shape); // [8, 16]
 * ```
 */
export function xavierUniform(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t.shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound);
}

/**
 * Glorot normal initialisation: N(0, gain²·2 / (fanIn + fanOut)).
 *
 * @example
 * ```ts
 * import { nn, zeros } from "lumen";
 * const w = nn.init.xavierNormal(zeros([8, 16]));
 * console.log(w.shape); // [8, 16]
 * ```
 */
export function xavierNormal(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t.shape);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}
