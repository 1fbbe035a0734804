/** Shape ops: reshape shares memory; transpose, permute and expand copy through one gather kernel. */
import type { Tensor } from "../tensor/tensor.ts";
import { inferShape, normalizeDim, sizeOf, stridesOf } from "../tensor/shape.ts";
import { elementwiseKernel } from "../../kernels/elementwise.ts";
import { mapElementwise, record, runKernel } from "./_run.ts";
import { sumToShape } from "./reduce.ts";

/** Same elements in a new shape; shares memory with `t`. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, t.size);
  const out = t.share(target);
  return record(out, "reshape", [t], (g) => [g.share(t.shape)]);
}

/** Flattens dims `start..end` into one. */
export function flatten(t: Tensor, start = 0, end = -1): Tensor {
  if (t.ndim === 0) return reshape(t, [1]);
  const s = normalizeDim(start, t.ndim), e = normalizeDim(end, t.ndim);
  const shape = [...t.shape.slice(0, s), sizeOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)];
  return reshape(t, shape);
}

/** Inserts a dim of size 1 at `dim`. */
export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, t.ndim + 1);
  return reshape(t, [...t.shape.slice(0, d), 1, ...t.shape.slice(d)]);
}

/** Removes size-1 dims (only `dim` when given). */
export function squeeze(t: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(t, t.shape.filter((d) => d !== 1));
  const d = normalizeDim(dim, t.ndim);
  return t.shape[d] === 1 ? reshape(t, t.shape.filter((_, i) => i !== d)) : reshape(t, t.shape);
}

/** Reorders dims: out[c] = t[c permuted back]. */
export function permute(t: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== t.ndim) {
    throw new Error(`permute needs ${t.ndim} dims for shape [${t.shape}], got [${dims}]`);
  }
  const order = dims.map((d) => normalizeDim(d, t.ndim));
  if (new Set(order).size !== order.length) throw new Error(`permute dims repeat: [${dims}]`);
  const shape = order.map((d) => t.shape[d]);
  const own = stridesOf(t.shape);
  const kernel = elementwiseKernel({
    expr: "x0",
    inputs: [{ dtype: t.dtype, strides: order.map((d) => own[d]) }],
    outShape: shape,
    outDtype: t.dtype,
    computeType: t.dtype,
  });
  const out = runKernel(kernel, [t], shape, t.dtype);
  const inverse = order.map((_, i) => order.indexOf(i));
  return record(out, "permute", [t], (g) => [permute(g, inverse)]);
}

/** Swaps two dims. */
export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  const order = t.shape.map((_, i) => i);
  const a = normalizeDim(dim0, t.ndim), b = normalizeDim(dim1, t.ndim);
  [order[a], order[b]] = [order[b], order[a]];
  return permute(t, order);
}

/** Broadcasts to `shape` as a contiguous copy. */
export function expand(t: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - t.ndim;
  const target = shape.map((d, i) => (d === -1 ? t.shape[i - lead] : d));
  const out = mapElementwise("x0", [t], { shape: target, computeType: t.dtype });
  return record(out, "expand", [t], (g) => [sumToShape(g, t.shape)]);
}

/** A contiguous copy that keeps the graph. */
export function clone(t: Tensor): Tensor {
  const out = mapElementwise("x0", [t], { computeType: t.dtype });
  return record(out, "clone", [t], (g) => [g]);
}
