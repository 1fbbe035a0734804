/**
 * Plumbing shared by the ops, and the one door from the layers above (nn, optim, data) to the
 * device: allocate outputs and dispatch a kernel, run a kernel in place, evaluate an elementwise
 * expression, record a node for autograd.
 *
 * @module
 */
import { getDevice } from "../device/default_device.ts";
import type { KernelSpec } from "../../kernels/kernel_spec.ts";
import { isGradEnabled } from "../autograd/grad_mode.ts";
import { type DType, Tensor } from "../tensor/tensor.ts";
import { broadcastShapes, broadcastStrides, sizeOf } from "../tensor/shape.ts";
import { elementwiseKernel } from "../../kernels/elementwise.ts";
import { canFuse, fuse, fused, isFusing, isLazy } from "./fusion.ts";

/** WebGPU's guaranteed `maxStorageBuffersPerShaderStage`, for devices that do not say. */
const MIN_STORAGE_BUFFERS = 8;

/** One output of {@link launch}: its shape and dtype. */
export interface OutputSpec {
  /** The output's shape. */
  readonly shape: readonly number[];
  /** Its element type (float32 when left out). */
  readonly dtype?: DType;
}

/** A fresh tensor whose elements are undefined until a kernel or a copy writes them. */
export function empty(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return Tensor.fromBuffer(getDevice().alloc(sizeOf(shape) * 4), shape, dtype);
}

/**
 * Allocates one fresh tensor per entry of `outputs`, then records `kernel` with the inputs'
 * buffers bound first and the outputs' after them, in order. Nothing is dispatched when an
 * output is empty.
 */
export function launch(
  kernel: KernelSpec,
  inputs: readonly Tensor[],
  outputs: readonly OutputSpec[],
): Tensor[] {
  const outs = outputs.map((o) => empty(o.shape, o.dtype));
  if (outs.every((t) => t.size > 0)) dispatch(kernel, [...inputs, ...outs]);
  return outs;
}

/** Runs `kernel` over `inputs` into a new tensor of `shape` ({@link launch} with one output). */
export function runKernel(
  kernel: KernelSpec,
  inputs: readonly Tensor[],
  shape: readonly number[],
  dtype: DType,
): Tensor {
  return launch(kernel, inputs, [{ shape, dtype }])[0];
}

/**
 * Records `kernel` over existing tensors, bound in order: the kernel writes into some of them
 * (an optimizer's parameters and state, an output filled in several dispatches). Lazy tensors
 * that read any of them are evaluated first, so they keep the values they were made from.
 */
export function runInPlace(kernel: KernelSpec, bound: readonly Tensor[]): void {
  for (const t of bound) t.storage.settleReaders();
  dispatch(kernel, bound);
}

/** Records `kernel` with the tensors' buffers (lazy ones evaluated first) bound in order. */
function dispatch(kernel: KernelSpec, bound: readonly Tensor[]): void {
  getDevice().run(kernel, bound.map((t) => t.buffer));
}

/** The most storage buffers one dispatch may bind on this device. */
export function maxBindings(): number {
  return getDevice().info.maxStorageBuffersPerStage ?? MIN_STORAGE_BUFFERS;
}

/** Submits the recorded work now, so the device starts on it while the host goes on. */
export function submit(): void {
  getDevice().flush();
}

/** Options of `mapElementwise`. */
export interface MapOptions {
  outDtype?: DType;
  computeType?: DType;
  prelude?: string;
  /** Output shape; defaults to the broadcast of the inputs' shapes. */
  shape?: readonly number[];
  /**
   * Values of the expression's `s0, s1, ...` (of the compute type), passed per dispatch, so a new
   * value never compiles a new pipeline.
   */
  scalars?: readonly number[];
}

const NO_SCALARS: readonly number[] = [];

/**
 * Evaluates a WGSL expression over broadcast inputs `x0, x1, ...` and scalars `s0, s1, ...` (no
 * autograd). Inside `fused` (and over lazy inputs) a float32 expression goes through fusion: a
 * lazy result, or the inputs' expressions composed into one dispatch.
 */
export function mapElementwise(
  expr: string,
  inputs: readonly Tensor[],
  options: MapOptions = {},
): Tensor {
  const shape = options.shape ?? broadcastShapes(...inputs.map((t) => t.shape));
  const computeType = options.computeType ?? "float32";
  const outDtype = options.outDtype ?? computeType;
  const scalars = options.scalars ?? NO_SCALARS;
  if (
    (isFusing() || inputs.some(isLazy)) && canFuse(expr, computeType, outDtype, shape)
  ) {
    return fuse({ expr, inputs, scalars, shape, prelude: options.prelude });
  }
  const kernel = elementwiseKernel({
    expr,
    inputs: inputs.map((t) => ({ dtype: t.dtype, strides: broadcastStrides(t.shape, shape) })),
    outShape: shape,
    outDtype,
    computeType,
    prelude: options.prelude,
    scalars,
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
    // Recorded inside `fused`: the derivative rule runs fused too, so gradient chains compose.
    const rule = isFusing() ? (g: Tensor) => fused(() => backward(g)) : backward;
    out.node = { name, inputs, backward: rule, saved };
  } else if (saved) {
    for (const t of saved) t.dispose();
  }
  return out;
}
