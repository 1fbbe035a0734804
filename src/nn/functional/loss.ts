/** Loss functions: fused cross-entropy, mean squared and absolute error, binary cross-entropy. */
import type { Tensor } from "../../tensor/tensor.ts";
import { broadcastShapes, sizeOf } from "../../tensor/shape.ts";
import { launch, mapElementwise, record, runKernel } from "../../ops/_run.ts";
import { mean, sum, sumToShape } from "../../ops/reduce.ts";
import { literal } from "../../../kernels/_grid.ts";
import { checkOptions } from "../../util/options.ts";
import {
  BINARY_CROSS_ENTROPY_OPTIONS,
  CROSS_ENTROPY_OPTIONS,
  LOSS_OPTIONS,
} from "./_loss_options.ts";
import {
  crossEntropyBackwardKernel,
  crossEntropyForwardKernel,
  crossEntropyFusesReduce,
  crossEntropyReduceKernel,
  type CrossEntropySpec,
} from "../../../kernels/loss.ts";

// Adding an option to an interface below? Add its name in _loss_options.ts too.

/** How a loss combines its per-element values: their mean, their sum, or none (kept as is). */
export type LossReduction = "mean" | "sum" | "none";

/** Options of `mseLoss` and `l1Loss`. */
export interface LossOptions {
  /** "mean" (default), "sum" or "none". */
  reduction?: LossReduction;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions {
  /** Mixes the target with the uniform distribution: (1 - s) * target + s / C. Default 0. */
  labelSmoothing?: number;
  /** "mean" (default; weighted by the targets' class weights), "sum" or "none". */
  reduction?: LossReduction;
  /** Class-index targets equal to this add no loss and no gradient. Default -100. */
  ignoreIndex?: number;
  /** A float32 weight per class, shape [C]. */
  weight?: Tensor;
}

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BinaryCrossEntropyOptions {
  /** "mean" (default), "sum" or "none". */
  reduction?: LossReduction;
  /** Weight of the positive term, broadcast over the input (usually one per class). */
  posWeight?: Tensor;
  /** Weight of each element's loss, broadcast over the input. */
  weight?: Tensor;
}

function checkReduction(reduction: string, fn: string): LossReduction {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new Error(`${fn}: reduction must be "mean", "sum" or "none", got "${reduction}"`);
  }
  return reduction;
}

function checkFloat(t: Tensor, what: string, fn: string): void {
  if (t.dtype !== "float32") throw new Error(`${fn}: ${what} must be float32, got ${t.dtype}`);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Throws when class-index targets made from host data hold a label outside [0, classes) other
 * than `ignoreIndex`. It reads only the range recorded at creation (no device read), so targets
 * computed on the device are not checked; an extreme equal to `ignoreIndex` is not checked either.
 */
function checkLabelRange(fn: string, target: Tensor, classes: number, ignore: number): void {
  const range = target.hostRange;
  if (!range) return;
  const bad = range.max >= classes && range.max !== ignore
    ? range.max
    : range.min < 0 && range.min !== ignore
    ? range.min
    : undefined;
  if (bad === undefined) return;
  throw new RangeError(
    `${fn}: target label ${bad} is out of range for ${classes} classes (labels must be in ` +
      `[0, ${classes - 1}])`,
  );
}

/**
 * Cross-entropy between logits and class-index targets (int32) or class probabilities (float32),
 * as `torch.nn.functional.cross_entropy`. Logits are [N, C], [N, C, d1, ...] or [C]; class targets
 * drop the class dim, probability targets have the logits' shape. Log-softmax, the negative
 * log-likelihood and label smoothing run in one kernel pass per row (a workgroup per row when
 * rows are long; for a small batch the same dispatch also reduces the rows), and the gradient
 * (softmax - smoothed one-hot) in one kernel. A class label out of range (other than
 * `ignoreIndex`) throws when the targets were made from host data (`tensor()`, a DataLoader
 * batch: their `hostRange` is known without a device read); targets computed on the device are
 * not read back, and a bad label there gives NaN. Probability targets get a gradient too.
 *
 * @example
 * ```ts
 * import { F, tensor } from "lumen";
 * const logits = tensor([[2, 0, 1], [0, 3, 0]], { requiresGrad: true });
 * const labels = tensor(new Int32Array([0, 1]));
 * const loss = F.crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 * loss.backward();
 * console.log(await loss.item(), logits.grad!.shape); // ≈ 0.40 [2, 3]
 * ```
 */
export function crossEntropy(
  logits: Tensor,
  target: Tensor,
  options: CrossEntropyOptions = {},
): Tensor {
  const fn = "crossEntropy";
  checkOptions(fn, options, CROSS_ENTROPY_OPTIONS);
  const reduction = checkReduction(options.reduction ?? "mean", fn);
  const smoothing = options.labelSmoothing ?? 0;
  const ignoreIndex = options.ignoreIndex ?? -100;
  checkFloat(logits, "logits", fn);
  if (logits.ndim < 1) throw new Error(`${fn}: logits need at least 1 dim, got a scalar`);
  if (!(smoothing >= 0 && smoothing <= 1)) {
    throw new Error(`${fn}: labelSmoothing must be in [0, 1], got ${smoothing}`);
  }
  if (!Number.isInteger(ignoreIndex)) {
    throw new Error(`${fn}: ignoreIndex must be an integer, got ${ignoreIndex}`);
  }
  const classDim = logits.ndim === 1 ? 0 : 1;
  const classes = logits.shape[classDim];
  const rowShape = logits.shape.filter((_, i) => i !== classDim);
  const probTarget = target.dtype === "float32";
  const expected = probTarget ? logits.shape : rowShape;
  if (!sameShape(target.shape, expected)) {
    throw new Error(
      `${fn}: ${probTarget ? "probability" : "class-index"} targets for logits of shape ` +
        `[${logits.shape}] must have shape [${expected}], got [${target.shape}]`,
    );
  }
  if (!probTarget) checkLabelRange(fn, target, classes, ignoreIndex);
  const weight = options.weight;
  if (weight) {
    checkFloat(weight, "weight", fn);
    if (!sameShape(weight.shape, [classes])) {
      throw new Error(`${fn}: weight must have shape [${classes}], got [${weight.shape}]`);
    }
  }
  const spec: CrossEntropySpec = {
    outer: classDim === 0 ? 1 : logits.shape[0],
    classes,
    inner: sizeOf(logits.shape.slice(classDim + 1)),
    labelSmoothing: smoothing,
    probTarget,
    ignoreIndex,
    hasWeight: !!weight,
  };
  const rows = spec.outer * spec.inner;
  const inputs = weight ? [logits, target, weight] : [logits, target];
  let stats: Tensor;
  let reduced: Tensor | null = null;
  if (crossEntropyFusesReduce(spec, reduction)) {
    // A small batch: one workgroup computes every row and reduces them, one dispatch.
    [stats, reduced] = launch(crossEntropyForwardKernel(spec, reduction), inputs, [
      { shape: [4, rows] },
      { shape: [2] },
    ]);
  } else {
    stats = runKernel(crossEntropyForwardKernel(spec), inputs, [4, rows], "float32");
    if (reduction !== "none") {
      reduced = runKernel(crossEntropyReduceKernel(spec, reduction), [stats], [2], "float32");
    }
  }
  const out = reduced ? reduced.share([]) : stats.share(rowShape);
  const saved = reduced ? [stats, reduced] : [stats];
  return record(out, fn, [logits, target], (g) => {
    const tail = [stats, g, ...(reduction === "mean" ? [reduced!] : [])];
    const grad = (wrtTarget: boolean, bound: Tensor[]): Tensor =>
      runKernel(
        crossEntropyBackwardKernel(spec, reduction, wrtTarget),
        bound,
        logits.shape,
        "float32",
      );
    const dLogits = logits.requiresGrad ? grad(false, [...inputs, ...tail]) : null;
    const dTarget = probTarget && target.requiresGrad
      ? grad(true, [logits, ...(weight ? [weight] : []), ...tail])
      : null;
    return [dLogits, dTarget];
  }, saved);
}

/** Reduces untracked per-element losses (consumed) as `reduction` says. */
function reduceLoss(perElement: Tensor, reduction: LossReduction): Tensor {
  if (reduction === "none") return perElement;
  const out = reduction === "sum" ? sum(perElement) : mean(perElement);
  perElement.dispose();
  return out;
}

/** The factor the output gradient carries into each element's gradient. */
function gradScale(reduction: LossReduction, count: number): string {
  return reduction === "mean" ? literal(1 / count) : "1.0";
}

/** A pointwise loss of two broadcast operands with its fused gradient expressions. */
function pointwiseLoss(
  fn: string,
  a: Tensor,
  b: Tensor,
  reduction: LossReduction,
  loss: string,
  gradA: string,
): Tensor {
  checkFloat(a, "input", fn);
  checkFloat(b, "target", fn);
  const shape = broadcastShapes(a.shape, b.shape);
  const out = reduceLoss(mapElementwise(loss, [a, b], { shape }), reduction);
  const k = gradScale(reduction, sizeOf(shape));
  return record(out, fn, [a, b], (g) => {
    // x2 is the output gradient: one per element for "none", else a scalar broadcast.
    const ga = mapElementwise(`(${gradA}) * x2 * ${k}`, [a, b, g], { shape });
    const res: (Tensor | null)[] = [null, null];
    if (b.requiresGrad) {
      const gb = mapElementwise("-x0", [ga]);
      res[1] = sumToShape(gb, b.shape);
      if (res[1] !== gb) gb.dispose();
    }
    if (a.requiresGrad) res[0] = sumToShape(ga, a.shape);
    if (res[0] !== ga) ga.dispose();
    return res;
  });
}

/**
 * Mean squared error (x - y)², as `torch.nn.functional.mse_loss`; shapes broadcast.
 *
 * @example
 * ```ts
 * import { F, tensor } from "lumen";
 * const loss = F.mseLoss(tensor([1, 2, 3]), tensor([1, 2, 5]));
 * console.log(await loss.item()); // ≈ 1.3333
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkOptions("mseLoss", options, LOSS_OPTIONS);
  const reduction = checkReduction(options.reduction ?? "mean", "mseLoss");
  return pointwiseLoss(
    "mseLoss",
    input,
    target,
    reduction,
    "(x0 - x1) * (x0 - x1)",
    "2.0 * (x0 - x1)",
  );
}

/**
 * Mean absolute error |x - y|, as `torch.nn.functional.l1_loss`; the gradient at x = y is 0.
 *
 * @example
 * ```ts
 * import { F, tensor } from "lumen";
 * const loss = F.l1Loss(tensor([1, 2, 3]), tensor([2, 2, 5]), { reduction: "sum" });
 * console.log(await loss.item()); // 3
 * ```
 */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkOptions("l1Loss", options, LOSS_OPTIONS);
  const reduction = checkReduction(options.reduction ?? "mean", "l1Loss");
  return pointwiseLoss("l1Loss", input, target, reduction, "abs(x0 - x1)", "sign(x0 - x1)");
}

/** log(1 + u) accurate for small u (log1p is not a WGSL builtin). */
const LOG1P_WGSL = /* wgsl */ `
fn log1p_(u: f32) -> f32 {
  let v = 1.0 + u;
  if (v == 1.0) { return u; }
  return log(v) * u / (v - 1.0);
}
fn softplusNeg(x: f32) -> f32 { return max(-x, 0.0) + log1p_(exp(-abs(x))); }
`;

/**
 * Binary cross-entropy on logits, as `torch.nn.functional.binary_cross_entropy_with_logits`, in
 * the stable form (1 - y) x + (1 + (p - 1) y) softplus(-x), never forming sigmoid(x) or log of 0.
 * Input and target share one shape; `posWeight` and `weight` broadcast over it.
 *
 * @example
 * ```ts
 * import { F, tensor } from "lumen";
 * const logits = tensor([[0.5, -1], [2, 0]], { requiresGrad: true });
 * const targets = tensor([[1, 0], [1, 1]]);
 * const loss = F.binaryCrossEntropyWithLogits(logits, targets, { posWeight: tensor([2, 1]) });
 * loss.backward();
 * console.log(await loss.item()); // ~0.55
 * ```
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BinaryCrossEntropyOptions = {},
): Tensor {
  const fn = "binaryCrossEntropyWithLogits";
  checkOptions(fn, options, BINARY_CROSS_ENTROPY_OPTIONS);
  const reduction = checkReduction(options.reduction ?? "mean", fn);
  checkFloat(input, "input", fn);
  checkFloat(target, "target", fn);
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(
      `${fn}: target shape [${target.shape}] must equal input shape [${input.shape}]`,
    );
  }
  const shape = input.shape;
  const operands = [input, target];
  let pw = "1.0", w = "1.0";
  for (const [name, t] of [["posWeight", options.posWeight], ["weight", options.weight]] as const) {
    if (!t) continue;
    checkFloat(t, name, fn);
    if (!sameShape(broadcastShapes(t.shape, shape), shape)) {
      throw new Error(`${fn}: ${name} of shape [${t.shape}] does not broadcast to [${shape}]`);
    }
    const v = `x${operands.length}`;
    if (name === "posWeight") pw = v;
    else w = v;
    operands.push(t);
  }
  const logWeight = `(1.0 + (${pw} - 1.0) * x1)`;
  const loss = `${w} * ((1.0 - x1) * x0 + ${logWeight} * softplusNeg(x0))`;
  const perElement = mapElementwise(loss, operands, { shape, prelude: LOG1P_WGSL });
  const out = reduceLoss(perElement, reduction);
  const k = gradScale(reduction, sizeOf(shape));
  return record(out, fn, [input, target], (g) => {
    const gv = `x${operands.length}`;
    const bound = [...operands, g];
    const opts = { shape, prelude: LOG1P_WGSL };
    // d/dx = (1 - y) - lw * sigmoid(-x); sigmoid(-x) = exp(-softplus(x)) stays finite.
    const dx = input.requiresGrad
      ? mapElementwise(
        `${w} * ((1.0 - x1) - ${logWeight} * exp(-softplusNeg(-x0))) * ${gv} * ${k}`,
        bound,
        opts,
      )
      : null;
    // d/dy = -x + (p - 1) softplus(-x)
    const dy = target.requiresGrad
      ? mapElementwise(`${w} * (-x0 + (${pw} - 1.0) * softplusNeg(x0)) * ${gv} * ${k}`, bound, opts)
      : null;
    return [dx, dy];
  });
}
