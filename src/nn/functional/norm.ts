/** Batch and layer normalisation with fused statistics, normalisation and gradient kernels. */
import type { Tensor } from "../../tensor/tensor.ts";
import { sizeOf } from "../../tensor/shape.ts";
import { launch, mapElementwise, record, runKernel } from "../../ops/_run.ts";
import { literal } from "../../../kernels/_grid.ts";
import {
  batchNormApplyKernel,
  batchNormGradInputKernel,
  batchNormGradSumsKernel,
  type BatchNormShape,
  batchNormStatsKernel,
} from "../../../kernels/batch_norm.ts";
import {
  layerNormForwardKernel,
  layerNormGradInputKernel,
  layerNormGradParamsKernel,
  type LayerNormShape,
} from "../../../kernels/layer_norm.ts";

/** Options of `batchNorm`. */
export interface BatchNormOptions {
  /** Per-channel scale, shape [C]. */
  weight?: Tensor | null;
  /** Per-channel shift, shape [C]. */
  bias?: Tensor | null;
  /** Normalise with the batch's statistics and update the running ones. Default false. */
  training?: boolean;
  /** Weight of the batch statistics in the running averages. Default 0.1. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
}

function checkVector(t: Tensor | null | undefined, n: number, what: string, fn: string): void {
  if (!t) return;
  if (t.dtype !== "float32" || t.ndim !== 1 || t.shape[0] !== n) {
    throw new Error(`${fn}: ${what} must be float32 of shape [${n}], got ${t.dtype} [${t.shape}]`);
  }
}

/**
 * Batch normalisation over dim 1 of an [N, C] or [N, C, ...] input, as
 * `torch.nn.functional.batch_norm`. Training normalises with the batch mean and biased variance
 * and updates `runningMean`/`runningVar` in place (the variance with the unbiased estimate);
 * evaluation normalises with the running statistics. Gradients flow to the input, weight and bias.
 *
 * @example
 * ```ts
 * import { F, ones, tensor, zeros } from "lumen";
 * const x = tensor([[1, 10], [3, 20]]);
 * const runningMean = zeros([2]), runningVar = ones([2]);
 * const y = F.batchNorm(x, runningMean, runningVar, { training: true });
 * console.log(await y.data(), await runningMean.data());
 * // ≈ Float32Array(4) [-1.000, -1.000, 1.000, 1.000] Float32Array(2) [0.2, 1.5]
 * ```
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormOptions = {},
): Tensor {
  const fn = "batchNorm";
  const training = options.training ?? false;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  const weight = options.weight ?? null, bias = options.bias ?? null;
  if (x.dtype !== "float32" || x.ndim < 2) {
    throw new Error(
      `${fn}: input must be float32 with at least 2 dims [N, C, ...], got ${x.dtype} [${x.shape}]`,
    );
  }
  const sh: BatchNormShape = { n: x.shape[0], c: x.shape[1], s: sizeOf(x.shape.slice(2)) };
  if (!runningMean !== !runningVar) {
    throw new Error(`${fn}: pass both runningMean and runningVar, or neither`);
  }
  checkVector(runningMean, sh.c, "runningMean", fn);
  checkVector(runningVar, sh.c, "runningVar", fn);
  checkVector(weight, sh.c, "weight", fn);
  checkVector(bias, sh.c, "bias", fn);
  let stats: Tensor;
  if (training) {
    if (sh.n * sh.s <= 1) {
      throw new Error(
        `${fn}: expected more than 1 value per channel when training, got input of shape [${x.shape}]`,
      );
    }
    const kernel = batchNormStatsKernel(sh, eps, momentum, !!runningMean);
    const bound = runningMean ? [x, runningMean, runningVar!] : [x];
    stats = runKernel(kernel, bound, [2, sh.c], "float32");
  } else {
    if (!runningMean || !runningVar) {
      throw new Error(`${fn}: evaluation (training: false) needs runningMean and runningVar`);
    }
    // Row 0: the running mean; row 1: 1/sqrt(running var + eps).
    stats = mapElementwise(
      `select(1.0 / sqrt(x1 + ${literal(eps)}), x0, c0 == 0u)`,
      [runningMean, runningVar],
      { shape: [2, sh.c] },
    );
  }
  const params = [weight, bias].filter((t): t is Tensor => t !== null);
  const out = runKernel(
    batchNormApplyKernel(sh, !!weight, !!bias),
    [x, stats, ...params],
    x.shape,
    "float32",
  );
  return record(out, fn, [x, ...params], (g) => {
    const wantParams = params.some((t) => t.requiresGrad);
    const sums = training || wantParams
      ? launch(batchNormGradSumsKernel(sh), [x, g, stats], [{ shape: [sh.c] }, { shape: [sh.c] }])
      : [];
    const [sumGXhat, sumG] = sums;
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const bound = [g, stats, ...(weight ? [weight] : []), ...(training ? [x, ...sums] : [])];
      dx = runKernel(batchNormGradInputKernel(sh, !!weight, training), bound, x.shape, "float32");
    }
    const res: (Tensor | null)[] = [dx];
    if (weight) res.push(weight.requiresGrad ? sumGXhat : null);
    if (bias) res.push(bias.requiresGrad ? sumG : null);
    for (const t of sums) if (!res.includes(t)) t.dispose();
    return res;
  }, [stats]);
}

/**
 * Layer normalisation over the last dims (`normalizedShape`), as
 * `torch.nn.functional.layer_norm`: each row is normalised by its own mean and biased variance,
 * then scaled by `weight` and shifted by `bias` (both of `normalizedShape`). One kernel computes
 * the statistics and the output; the backward pass is one kernel for the input and one for the
 * parameters.
 *
 * @example
 * ```ts
 * import { F, ones, tensor, zeros } from "lumen";
 * const x = tensor([[1, 2, 3], [2, 4, 6]]);
 * const y = F.layerNorm(x, [3], ones([3]), zeros([3]));
 * console.log(await y.data()); // ≈ Float32Array(6) [-1.2247, 0, 1.2247, -1.2247, 0, 1.2247]
 * ```
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  const fn = "layerNorm";
  const norm = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const tail = x.shape.slice(x.ndim - norm.length);
  if (
    x.dtype !== "float32" || norm.length === 0 || norm.length > x.ndim ||
    tail.some((d, i) => d !== norm[i])
  ) {
    throw new Error(
      `${fn}: input of shape [${x.shape}] (${x.dtype}) does not end with normalizedShape ` +
        `[${norm}]; expected float32 [..., ${norm}]`,
    );
  }
  const d = sizeOf(norm);
  if (d === 0) throw new Error(`${fn}: normalizedShape [${norm}] has no elements`);
  for (const [what, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t && (t.dtype !== "float32" || t.size !== d || t.ndim !== norm.length)) {
      throw new Error(
        `${fn}: ${what} must be float32 of shape [${norm}], got ${t.dtype} [${t.shape}]`,
      );
    }
  }
  const sh: LayerNormShape = { rows: x.size / d, d };
  const params = [weight, bias].filter((t): t is Tensor => !!t);
  const [out, stats] = launch(
    layerNormForwardKernel(sh, eps, !!weight, !!bias),
    [x, ...params],
    [{ shape: x.shape }, { shape: [2, sh.rows] }],
  );
  return record(out, fn, [x, ...params], (g) => {
    const res: (Tensor | null)[] = [null];
    if (x.requiresGrad) {
      const bound = [x, g, stats, ...(weight ? [weight] : [])];
      res[0] = runKernel(layerNormGradInputKernel(sh, !!weight), bound, x.shape, "float32");
    }
    const wantWeight = !!weight?.requiresGrad, wantBias = !!bias?.requiresGrad;
    let grads: Tensor[] = [];
    if (wantWeight || wantBias) {
      const outs = [
        ...(wantWeight ? [{ shape: norm }] : []),
        ...(wantBias ? [{ shape: norm }] : []),
      ];
      const bound = wantWeight ? [g, x, stats] : [g];
      grads = launch(layerNormGradParamsKernel(sh, wantWeight, wantBias), bound, outs);
    }
    if (weight) res.push(wantWeight ? grads[0] : null);
    if (bias) res.push(wantBias ? grads[wantWeight ? 1 : 0] : null);
    return res;
  }, [stats]);
}
