/** `F.linear`: y = x · weightᵀ + bias over the last dim of x, with its gradients. */
import type { Tensor } from "../../tensor/tensor.ts";
import { isAutocastEnabled } from "../../ops/autocast.ts";
import { mapElementwise, record } from "../../ops/_run.ts";
import { sum } from "../../ops/reduce.ts";
import { checkOptions } from "../../util/options.ts";
import { fusedMatmul, maskInLoads } from "./_fused_matmul.ts";

/** Options of `F.linear` beyond torch's arguments. */
export interface LinearActivationOptions {
  /**
   * An activation applied in the product's own kernel: `"relu"` gives relu(x · weightᵀ + bias)
   * in one dispatch (nn.Sequential passes it when a ReLU follows a Linear). Default none.
   */
  activation?: "relu" | null;
}

/** Every option name of `LinearActivationOptions`. */
const LINEAR_OPTIONS = ["activation"] as const satisfies readonly (keyof LinearActivationOptions)[];

/** The gradient x0 where the ReLU's output x1 is positive, else 0 (torch's threshold_backward). */
const RELU_MASK = "select(0.0, x0, x1 > 0.0)";

function checkFloat(t: Tensor, what: string): void {
  if (t.dtype !== "float32") throw new Error(`linear needs a float32 ${what}, got ${t.dtype}`);
}

/**
 * Applies an affine map to the last dim: `x · weightᵀ + bias`, as torch's `F.linear`. `x` is
 * [..., in] with any number of leading dims, `weight` is [out, in] and `bias` (optional) is [out];
 * the result is [..., out]. The weight is read transposed in place, never copied, and the bias
 * (and `activation: "relu"`) is applied by the product's kernel: one dispatch forward. Backward,
 * the bias gradient is summed by the weight gradient's kernel, and the ReLU's mask is applied as
 * the gradient is read (on a GPU, for products small enough that the dispatches dominate) or by
 * one elementwise pass.
 *
 * @example
 * ```ts
 * import { F, tensor } from "lumen";
 * const x = tensor([[1, 2, 3]]);
 * const weight = tensor([[1, 0, 0], [0, 1, 1]]);
 * const y = F.linear(x, weight, tensor([0.5, -1]));
 * const z = F.linear(x, weight, tensor([0.5, -6]), { activation: "relu" });
 * console.log(await y.array(), await z.array()); // [[1.5, 4]] [[1.5, 0]]
 * ```
 */
export function linear(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options: LinearActivationOptions = {},
): Tensor {
  checkOptions("linear", options, LINEAR_OPTIONS);
  const activation = options.activation ?? null;
  if (activation !== null && activation !== "relu") {
    throw new Error(`linear: activation must be "relu" or null, got ${JSON.stringify(activation)}`);
  }
  checkFloat(x, "input");
  checkFloat(weight, "weight");
  if (weight.ndim !== 2) {
    throw new Error(`linear needs a weight of shape [out, in], got [${weight.shape}]`);
  }
  const [outFeatures, inFeatures] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new Error(
      `linear needs an input whose last dim is ${inFeatures} (weight [${weight.shape}]), got [${x.shape}]`,
    );
  }
  if (bias) {
    checkFloat(bias, "bias");
    if (bias.ndim !== 1 || bias.shape[0] !== outFeatures) {
      throw new Error(`linear needs a bias of shape [${outFeatures}], got [${bias.shape}]`);
    }
  }
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((a, b) => a * b, 1);
  const relu = activation === "relu";
  // The product runs on the 2-D view [rows, in] of x; views share memory and are freed at once.
  const x2 = x.share([rows, inFeatures]);
  // Under autocast the backward products are half too (as torch's f16 linear backward).
  const half = isAutocastEnabled();
  const [out2] = fusedMatmul(x2, weight, { transB: true, half, bias, relu });
  x2.dispose();
  const out = out2.share([...lead, outFeatures]);
  out2.dispose();

  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, relu ? "linearRelu" : "linear", inputs, (g) => {
    // The ReLU's backward: the gradient counts where the output is positive (as torch's
    // threshold_backward). Small products apply it as they read g (no dispatch of its own);
    // larger ones, where the mask's loads would cost more than a dispatch, mask g once first.
    const g2 = g.share([rows, outFeatures]);
    const y2 = relu ? out.share([rows, outFeatures]) : null;
    const inLoads = y2 !== null && maskInLoads(rows * outFeatures * inFeatures);
    // The products read `gin` through `mask`: g and the output, or g already masked.
    const mask = inLoads ? y2 : null;
    const gin = y2 && !inLoads ? mapElementwise(RELU_MASK, [g2, y2]) : g2;
    const grads: (Tensor | null)[] = [null, null, null];
    if (x.requiresGrad) {
      // dx = g · W: [rows, out] · [out, in].
      const [dx] = fusedMatmul(gin, weight, { half, mask });
      grads[0] = dx.share(x.shape);
      dx.dispose();
    }
    const wantBias = !!bias?.requiresGrad;
    if (weight.requiresGrad) {
      // dW = gᵀ · x: [out, rows] · [rows, in], with g read transposed; its kernel sums g's
      // columns into the bias gradient too (when dW has elements, so that the kernel runs).
      const xv = x.share([rows, inFeatures]);
      const rowSum = wantBias && inFeatures > 0;
      [grads[1], grads[2]] = fusedMatmul(gin, xv, { transA: true, half, mask, rowSum });
      xv.dispose();
    }
    if (wantBias && !grads[2]) {
      const gm = mask ? mapElementwise(RELU_MASK, [g2, mask]) : gin;
      grads[2] = sum(gm, 0);
      if (gm !== gin) gm.dispose();
    }
    for (const t of new Set([g2, y2, gin])) t?.dispose();
    return grads.slice(0, inputs.length);
  });
}
