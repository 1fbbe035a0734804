/** `F.conv2d`: 2-D convolution over NCHW tensors with groups, and its gradients. */
import type { Tensor } from "../../tensor/tensor.ts";
import { zeros } from "../../tensor/creation.ts";
import { matmulRaw } from "../../ops/matmul.ts";
import { isAutocastEnabled, roundHalf } from "../../ops/autocast.ts";
import { empty, mapElementwise, record, runInPlace, runKernel } from "../../ops/_run.ts";
import { sum } from "../../ops/reduce.ts";
import type { Conv2dGeometry } from "../../../kernels/conv2d_geometry.ts";
import { directConvFits } from "../../../kernels/conv2d_window.ts";
import { conv2dForwardKernel, conv2dPackWeightKernel } from "../../../kernels/conv2d_direct.ts";
import {
  conv2dPackPhaseWeightKernel,
  inputGradPhases,
} from "../../../kernels/conv2d_input_grad.ts";
import { conv2dWeightGradKernel, weightGradSplits } from "../../../kernels/conv2d_weight_grad.ts";
import {
  conv2dForwardGemmKernel,
  conv2dInputGradGemmKernel,
  conv2dWeightGradGemmKernel,
} from "../../../kernels/conv2d_gemm.ts";
import { chooseSplits } from "../../../kernels/conv_gemm.ts";
import { weightGradByColumns } from "./_conv2d_columns.ts";
import { conv2dGeometry } from "./_conv2d_geometry.ts";
import { maxBindingBytes, onRealGpu } from "../../ops/adapter.ts";
import type { Size2d } from "./_size2d.ts";

export type { Size2d };

/** Options of `F.conv2d`; each size is one number for both dims or [height, width]. */
export interface Conv2dOptions {
  /** Step between windows (1 by default). */
  stride?: Size2d;
  /**
   * Zeros added on each side (0 by default). "valid" is 0; "same" keeps the input's size (stride 1
   * only), putting the odd extra pixel, if any, at the bottom/right as torch does.
   */
  padding?: Size2d | "valid" | "same";
  /** Spacing between kernel taps (1 by default). */
  dilation?: Size2d;
  /** Channel groups: input and output channels split into this many independent convs. */
  groups?: number;
}

/** A 1x1, stride-1, unpadded, ungrouped conv is a batched matmul W[Cout, C] · x[n][C, H*W]. */
function isPointwise(g: Conv2dGeometry): boolean {
  return g.kernelH === 1 && g.kernelW === 1 && g.strideH === 1 && g.strideW === 1 &&
    g.padH === 0 && g.padW === 0 && g.groups === 1 && g.outH === g.height && g.outW === g.width;
}

/** The direct forward kernel, with the weight repacked for it (see conv2dPackWeightKernel). */
function directConv(x: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dGeometry): Tensor {
  const packed = runKernel(conv2dPackWeightKernel(g, false), [weight], [weight.size], "float32");
  const inputs = bias ? [x, packed, bias] : [x, packed];
  const outShape = [g.batch, g.outChannels, g.outH, g.outW];
  const out = runKernel(conv2dForwardKernel(g, !!bias), inputs, outShape, "float32");
  packed.dispose();
  return out;
}

function forward(x: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dGeometry): Tensor {
  const outShape = [g.batch, g.outChannels, g.outH, g.outW];
  if (!isPointwise(g)) {
    // On a GPU the implicit GEMM runs ~4x faster than the direct kernel (H100, batch 512); on
    // llvmpipe the direct kernel wins (BENCHMARKS.md).
    if (directConvFits(g) && !onRealGpu()) return directConv(x, weight, bias, g);
    return runKernel(
      conv2dForwardGemmKernel(g, !!bias),
      bias ? [x, weight, bias] : [x, weight],
      outShape,
      "float32",
    );
  }
  const hw = g.height * g.width;
  const w2 = weight.share([g.outChannels, g.inChannels]);
  const x3 = x.share([g.batch, g.inChannels, hw]);
  let y = matmulRaw(w2, x3);
  if (bias) {
    const b2 = bias.share([g.outChannels, 1]);
    const biased = mapElementwise("x0 + x1", [y, b2]);
    b2.dispose();
    y.dispose();
    y = biased;
  }
  w2.dispose();
  x3.dispose();
  const out = y.share(outShape);
  y.dispose();
  return out;
}

/**
 * dX as direct convolutions over dy, one per sub-pixel phase of dx (one in all for stride 1), each
 * writing its own pixels of dx (see kernels/conv2d_input_grad.ts); null when a phase's window is
 * too large for the direct kernel.
 */
function inputGradByPhases(dy: Tensor, weight: Tensor, g: Conv2dGeometry): Tensor | null {
  const phases = inputGradPhases(g);
  if (!phases.every((p) => p.geometry === null || directConvFits(p.geometry))) return null;
  const shape = [g.batch, g.inChannels, g.height, g.width];
  // Pixels that no tap reaches (a kernel smaller than the stride) keep these zeros.
  const dx = phases.some((p) => p.geometry === null) ? zeros(shape) : empty(shape);
  if (dx.size === 0) return dx;
  for (const phase of phases) {
    if (phase.geometry === null) continue;
    const taps = phase.geometry.kernelH * phase.geometry.kernelW;
    const packed = runKernel(
      conv2dPackPhaseWeightKernel(g, phase),
      [weight],
      [g.outChannels * (g.inChannels / g.groups) * taps],
      "float32",
    );
    const kernel = conv2dForwardKernel(phase.geometry, false, phase.lattice);
    runInPlace(kernel, [dy, packed, dx]);
    packed.dispose();
  }
  return dx;
}

function inputGrad(dy: Tensor, weight: Tensor, g: Conv2dGeometry): Tensor {
  const shape = [g.batch, g.inChannels, g.height, g.width];
  if (!isPointwise(g)) {
    return inputGradByPhases(dy, weight, g) ??
      runKernel(conv2dInputGradGemmKernel(g), [dy, weight], shape, "float32");
  }
  // dx[n] = Wᵀ · dy[n], W read transposed.
  const w2 = weight.share([g.outChannels, g.inChannels]);
  const dy3 = dy.share([g.batch, g.outChannels, g.height * g.width]);
  const dx = matmulRaw(w2, dy3, { transA: true });
  w2.dispose();
  dy3.dispose();
  const out = dx.share(shape);
  dx.dispose();
  return out;
}

/**
 * dW through im2col on a GPU: the batched product dy[n] · cols[n] summed over n, run by the
 * register-blocked matmul (~20x the direct kernel's speed on an H100); null where it does not
 * apply (a CPU adapter, groups, or columns too large for one binding).
 */
function weightGradIm2col(dy: Tensor, x: Tensor, weight: Tensor, g: Conv2dGeometry): Tensor | null {
  const ohw = g.outH * g.outW;
  const row = g.inChannels * g.kernelH * g.kernelW;
  const colBytes = g.batch * ohw * row * 4;
  if (!onRealGpu() || g.groups !== 1 || colBytes > maxBindingBytes()) return null;
  return weightGradByColumns(dy, x, weight, g);
}

function weightGrad(dy: Tensor, x: Tensor, weight: Tensor, g: Conv2dGeometry): Tensor {
  const byColumns = weightGradIm2col(dy, x, weight, g);
  if (byColumns) return byColumns;
  const wRow = (g.inChannels / g.groups) * g.kernelH * g.kernelW;
  const direct = directConvFits(g);
  const splits = direct
    ? weightGradSplits(g)
    : chooseSplits(g.outChannels / g.groups, wRow, g.batch * g.outH * g.outW, g.groups);
  const kernel = direct ? conv2dWeightGradKernel(g, splits) : conv2dWeightGradGemmKernel(g, splits);
  const partials = runKernel(kernel, [dy, x], [splits, ...weight.shape], "float32");
  if (splits === 1) {
    const dw = partials.share(weight.shape);
    partials.dispose();
    return dw;
  }
  const dw = sum(partials, 0);
  partials.dispose();
  return dw;
}

function conv2dBatched(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  options: Conv2dOptions,
): Tensor {
  for (const [t, what] of [[x, "input"], [weight, "weight"], [bias, "bias"]] as const) {
    if (t && t.dtype !== "float32") {
      throw new Error(`conv2d needs a float32 ${what}, got ${t.dtype}`);
    }
  }
  const g = conv2dGeometry(x, weight, options);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== g.outChannels)) {
    throw new Error(`conv2d needs a bias of shape [${g.outChannels}], got [${bias.shape}]`);
  }
  const out = forward(x, weight, bias, g);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, "conv2d", inputs, (dy) => {
    const grads: (Tensor | null)[] = [
      x.requiresGrad ? inputGrad(dy, weight, g) : null,
      weight.requiresGrad ? weightGrad(dy, x, weight, g) : null,
      bias?.requiresGrad ? sum(dy, [0, 2, 3]) : null,
    ];
    return grads.slice(0, inputs.length);
  });
}

/**
 * 2-D convolution (cross-correlation, as torch's `F.conv2d`) of an [N, C, H, W] (or unbatched
 * [C, H, W]) input with a [Cout, C/groups, kH, kW] weight and an optional [Cout] bias. Forward and
 * both gradients run as direct kernels that compute window coordinates on the fly (the strided
 * input gradient as one stride-1 convolution per sub-pixel phase; implicit-GEMM kernels for very
 * large windows).
 *
 * @example
 * ```ts
 * import { F, randn } from "lumen";
 * const x = randn([2, 3, 8, 8], { requiresGrad: true });
 * const weight = randn([4, 3, 3, 3], { requiresGrad: true });
 * const y = F.conv2d(x, weight, null, { stride: 2, padding: 1 });
 * console.log(y.shape); // [2, 4, 4, 4]
 * y.sum().backward();
 * console.log(weight.grad!.shape); // [4, 3, 3, 3]
 * ```
 */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options: Conv2dOptions = {},
): Tensor {
  if (isAutocastEnabled()) {
    // No half conv kernel yet: f16 numerics (inputs, weights and output rounded through f16,
    // sums in f32, as tensor cores do) over the f32 kernels.
    const cast = (t: Tensor) => roundHalf(t);
    return cast(conv2dFloat(cast(x), cast(weight), bias ? cast(bias) : null, options));
  }
  return conv2dFloat(x, weight, bias ?? null, options);
}

/** `conv2d` in float32. */
function conv2dFloat(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  options: Conv2dOptions,
): Tensor {
  if (x.ndim !== 3) return conv2dBatched(x, weight, bias ?? null, options);
  // Unbatched: run as a batch of one; reshape keeps the graph connected.
  const out = conv2dBatched(x.unsqueeze(0), weight, bias ?? null, options);
  return out.squeeze(0);
}
