/**
 * The 2-D matrix product of kernels/matmul.ts with its fusions, for F.linear: a bias and a ReLU in
 * the epilogue (forward in one dispatch), a ReLU mask on the gradient's loads and the bias
 * gradient written beside the weight gradient (backward without separate mask and sum dispatches).
 *
 * @module
 */
import type { Tensor } from "../../tensor/tensor.ts";
import { launch } from "../../ops/_run.ts";
import { onRealGpu } from "../../ops/adapter.ts";
import { matmulKernel } from "../../../kernels/matmul.ts";

/**
 * Most multiply-adds (M·N·K) of a product that reads A through a mask on a real GPU: below it the
 * extra loads cost less than a dispatch of its own (~50-100 µs of host time under Deno); on a CPU
 * adapter, where loads are the cost and dispatches are cheap beside the arithmetic, never.
 */
const MASK_IN_LOADS_MAX = 2 ** 30;

/** Whether a product of `work` multiply-adds should apply a mask as it reads A. */
export function maskInLoads(work: number): boolean {
  return onRealGpu() && work <= MASK_IN_LOADS_MAX;
}

/** What one fused product does besides op(a) · op(b). */
export interface FusedMatmulOptions {
  /** Read `a` ([K, M] in memory) as its transpose. */
  transA?: boolean;
  /** Read `b` ([N, K] in memory) as its transpose. */
  transB?: boolean;
  /** Half-precision products (autocast; see kernels/matmul.ts). */
  half: boolean;
  /** [N], added to every row of the result. */
  bias?: Tensor | null;
  /** max(·, 0) after the bias. */
  relu?: boolean;
  /** Laid out as `a`: op(a) is read times (mask > 0). */
  mask?: Tensor | null;
  /** Also return the sums of op(a)'s rows, [M]. */
  rowSum?: boolean;
}

/**
 * op(a) · op(b) for float32 matrices (checked by the caller), with the fusions `options` asks
 * for; returns the product [M, N] and the row sums [M] (null unless `rowSum`). The row sums are
 * written only when the product has elements (N > 0): callers compute them otherwise.
 */
export function fusedMatmul(
  a: Tensor,
  b: Tensor,
  options: FusedMatmulOptions,
): [Tensor, Tensor | null] {
  const [ar, ac] = a.shape, [br, bc] = b.shape;
  const m = options.transA ? ac : ar, k = options.transA ? ar : ac;
  const n = options.transB ? br : bc;
  const kernel = matmulKernel({
    batch: 1,
    m,
    n,
    k,
    transA: !!options.transA,
    transB: !!options.transB,
    batchStrideA: 0,
    batchStrideB: 0,
    half: options.half,
    bias: !!options.bias,
    relu: options.relu,
    maskA: !!options.mask,
    rowSumA: options.rowSum,
  });
  const inputs = [a, b];
  if (options.mask) inputs.push(options.mask);
  if (options.bias) inputs.push(options.bias);
  const outs = launch(kernel, inputs, [
    { shape: [m, n] },
    ...(options.rowSum ? [{ shape: [m] }] : []),
  ]);
  return [outs[0], outs[1] ?? null];
}
