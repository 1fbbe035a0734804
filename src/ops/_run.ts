/** Plumbing shared by the ops: run a kernel into a fresh tensor, record a node for autograd. */
import { getDevice } from "../device/default_device.ts";
import type { KernelSpec } from "../device/device.ts";
import { isGradEnabled } from "../autograd/grad_mode.ts";
import { type DType, Tensor } from "../tensor/tensor.ts";
import { broadcastShapes, broadcastStrides, sizeOf } from "../tensor/shape.ts";
import { elementwiseKernel } from "../../kernels/elementwise.ts";

/** Runs `kernel` over `inputs` into a new tensor of `shape`. */
export function runKernel(
  kernel: KernelSpec,
  inputs: readonly Tensor[],
  shape: readonly number[],
  dtype: DType,
): Tensor {
  const device = getDevice();
  const out = Tensor.fromBuffer(device.alloc(sizeOf(shape) * 4), shape, dtype);
  if (sizeOf(shape) > 0) device.run(kernel, [...inputs.map((t) => t.buffer), out.buffer]);
  return out;
}

/** Options of `mapElementwise`. */
export interface MapOptions {
  outDtype?: DType;
  computeType?: DType;
  prelude?: string;
  /** Output shape; defaults to the broadcast of the inputs' shapes. */
  shape?: readonly number[];
}

/** Evaluates a WGSL expression over broadcast inputs `x0, x1, ...` (no autograd). */
export function mapElementwise(
  expr: string,
  inputs: readonly Tensor[],
  options: MapOptions = {},
): Tensor {
  const shape = options.shape ?? broadcastShapes(...inputs.map((t) => t.shape));
  const computeType = options.computeType ?? "float32";
  const outDtype = options.outDtype ?? computeType;
  const kernel = elementwiseKernel({
    expr,
    inputs: inputs.map((t) => ({ dtype: t.dtype, strides: broadcastStrides(t.shape, shape) })),
    outShape: shape,
    outDtype,
    computeType,
    prelude: options.prelude,
  });
  return runKernel(kernel, inputs, shape, outDtype);
}

/** Attaches a graph node to `out` when grad mode is on and an input requires grad. */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: (grad: Tensor) => (Tensor | null)[],
  saved?: readonly Tensor[],
): Tensor {
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { name, inputs, backward, saved };
  } else if (saved) {
    for (const t of saved) t.dispose();
  }
  return out;
}
