/** Fresh parameters with PyTorch's default initialisation, shared by the layers. */
import { Tensor } from "../../tensor/tensor.ts";
import { zeros } from "../../tensor/creation.ts";
import * as init from "../init.ts";

/** A weight drawn as PyTorch's layers do: kaiming_uniform with a = sqrt(5), i.e. U(±1/sqrt(fanIn)). */
export function defaultWeight(shape: readonly number[]): Tensor {
  return init.kaimingUniform(zeros(shape), { a: Math.sqrt(5) });
}

/** A bias drawn from U(±1/sqrt(fanIn)) of its layer's weight (0 bound when fanIn is 0). */
export function defaultBias(size: number, fanIn: number): Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return init.uniform(zeros([size]), -bound, bound);
}

/** Throws unless `value` is an integer of at least `min`. */
export function checkInt(layer: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new Error(`${layer}: ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/** Throws unless `x`'s last dim is `size`. */
export function checkLastDim(layer: string, x: Tensor, size: number, what: string): void {
  if (!(x instanceof Tensor)) {
    const got = Array.isArray(x) ? `an array of ${(x as unknown[]).length}` : typeof x;
    throw new TypeError(
      `${layer} expects a Tensor input, got ${got}` +
        (Array.isArray(x)
          ? " (a whole [input, target] batch? set the batch adapter's input_accessor)"
          : ""),
    );
  }
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== size) {
    throw new Error(
      `${layer} expects inputs whose last dim is ${what} = ${size}, got shape [${x.shape}]`,
    );
  }
}
