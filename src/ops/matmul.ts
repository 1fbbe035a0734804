/** Matrix products: 1-D, 2-D and batched with broadcast batch dims; gradients use transposed loads. */
import type { Tensor } from "../tensor/tensor.ts";
import { broadcastShapes, sizeOf } from "../tensor/shape.ts";
import { matmulKernel } from "../../kernels/matmul.ts";
import { record, runKernel } from "./_run.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { sumToShape } from "./reduce.ts";
import { isAutocastEnabled } from "./autocast.ts";

/** Options of the raw product. */
export interface MatmulLayout {
  /** Read `a` ([..., K, M] in memory) as its transpose. */
  transA?: boolean;
  /** Read `b` ([..., N, K] in memory) as its transpose. */
  transB?: boolean;
  /** Compute in half precision (see kernels/matmul.ts); defaults to whether autocast is on. */
  half?: boolean;
}

/** op(a) · op(b) without autograd, for rank >= 2 operands with broadcast batch dims. */
export function matmulRaw(a: Tensor, b: Tensor, layout: MatmulLayout = {}): Tensor {
  if (a.dtype !== "float32" || b.dtype !== "float32") {
    throw new Error(`matmul needs float32 operands, got ${a.dtype} and ${b.dtype}`);
  }
  const [ar, ac] = a.shape.slice(-2), [br, bc] = b.shape.slice(-2);
  const m = layout.transA ? ac : ar, k = layout.transA ? ar : ac;
  const kb = layout.transB ? bc : br, n = layout.transB ? br : bc;
  if (k !== kb) {
    throw new Error(
      `matmul shapes do not match: [${a.shape}]${layout.transA ? "ᵀ" : ""} · [${b.shape}]${
        layout.transB ? "ᵀ" : ""
      } (inner dims ${k} and ${kb})`,
    );
  }
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(batchA, batchB);
  const batch = sizeOf(batchShape);
  const sameOrOne = (s: readonly number[]) =>
    sizeOf(s) === 1 || (s.length === batchShape.length && s.every((d, i) => d === batchShape[i]));
  if (!sameOrOne(batchA) || !sameOrOne(batchB)) {
    // Partial batch broadcasting: expand the operand to the full batch first.
    // Raw means no graph: the copies are temporaries, freed below.
    const ea = sameOrOne(batchA)
      ? a
      : noGrad(() => a.expand([...batchShape, ...a.shape.slice(-2)]));
    const eb = sameOrOne(batchB)
      ? b
      : noGrad(() => b.expand([...batchShape, ...b.shape.slice(-2)]));
    const out = matmulRaw(ea, eb, layout);
    if (ea !== a) ea.dispose();
    if (eb !== b) eb.dispose();
    return out;
  }
  const kernel = matmulKernel({
    batch,
    m,
    n,
    k,
    transA: !!layout.transA,
    transB: !!layout.transB,
    batchStrideA: sizeOf(batchA) === 1 ? 0 : m * k,
    batchStrideB: sizeOf(batchB) === 1 ? 0 : k * n,
    half: layout.half ?? isAutocastEnabled(),
  });
  return runKernel(kernel, [a, b], [...batchShape, m, n], "float32");
}

/** torch.matmul semantics with autograd. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new Error("matmul needs operands of rank >= 1");
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  if (a2 !== a || b2 !== b) {
    const out = matmul(a2, b2);
    const shape = out.shape.filter((_, i) =>
      !((a.ndim === 1 && i === out.ndim - 2) || (b.ndim === 1 && i === out.ndim - 1))
    );
    return out.reshape(shape);
  }
  // Under autocast the backward products are half too (as torch's f16 matmul backward).
  const half = isAutocastEnabled();
  const out = matmulRaw(a, b, { half });
  // Only the operands that require grad get one; a broadcast batch is summed away and freed.
  return record(out, "matmul", [a, b], (g) => [
    a.requiresGrad ? reduceTo(matmulRaw(g, b, { transB: true, half }), a.shape) : null,
    b.requiresGrad ? reduceTo(matmulRaw(a, g, { transA: true, half }), b.shape) : null,
  ]);
}

/** `grad` summed to `shape`, the broadcast product freed when a sum replaced it. */
function reduceTo(grad: Tensor, shape: readonly number[]): Tensor {
  const reduced = sumToShape(grad, shape);
  if (reduced !== grad) grad.dispose();
  return reduced;
}
