/** `F.linear`: y = x · weightᵀ + bias over the last dim of x, with its gradients. */
import type { Tensor } from "../../tensor/tensor.ts";
import { matmulRaw } from "../../ops/matmul.ts";
import { isAutocastEnabled } from "../../ops/autocast.ts";
import { mapElementwise, record } from "../../ops/_run.ts";
import { sum } from "../../ops/reduce.ts";

function checkFloat(t: Tensor, what: string): void {
  if (t.dtype !== "float32") throw new Error(`linear needs a float32 ${what}, got ${t.dtype}`);
}

/**
 * Applies an affine map to the last dim: `x · weightᵀ + bias`, as torch's `F.linear`. `x` is
 * [..., in] with any number of leading dims, `weight` is [out, in] and `bias` (optional) is [out];
 * the result is [..., out]. The weight is read transposed in place, never copied.
 *
 * @example
 * ```ts
 * import { F, tensor } from "lumen";
 * const x = tensor([[1, 2, 3]]);
 * const weight = tensor([[1, 0, 0], [0, 1, 1]]);
 * const y = F.linear(x, weight, tensor([0.5, -1]));
 * console.log(await y.array()); // [[1.5, 4]]
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
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
  // The product runs on the 2-D view [rows, in] of x; views share memory and are freed at once.
  const x2 = x.share([rows, inFeatures]);
  // Under autocast the backward products are half too (as torch's f16 linear backward).
  const half = isAutocastEnabled();
  const product = matmulRaw(x2, weight, { transB: true, half });
  let out2 = product;
  if (bias) {
    out2 = mapElementwise("x0 + x1", [product, bias]);
    product.dispose();
  }
  x2.dispose();
  const out = out2.share([...lead, outFeatures]);
  out2.dispose();

  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, "linear", inputs, (g) => {
    const g2 = g.share([rows, outFeatures]);
    const grads: (Tensor | null)[] = [null, null, null];
    if (x.requiresGrad) {
      // dx = g · W: [rows, out] · [out, in].
      const dx = matmulRaw(g2, weight, { half });
      grads[0] = dx.share(x.shape);
      dx.dispose();
    }
    if (weight.requiresGrad) {
      // dW = gᵀ · x: [out, rows] · [rows, in], with g read transposed.
      const xv = x.share([rows, inFeatures]);
      grads[1] = matmulRaw(g2, xv, { transA: true, half });
      xv.dispose();
    }
    if (bias?.requiresGrad) grads[2] = sum(g2, 0);
    g2.dispose();
    return grads.slice(0, inputs.length);
  });
}
