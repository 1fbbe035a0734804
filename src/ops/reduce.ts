/** Reductions (sum, mean, max, min, argmax) along any dims, and their gradients. */
import type { Tensor } from "../tensor/tensor.ts";
import { normalizeDim, sizeOf, splitAt } from "../tensor/shape.ts";
import { reduceKernel, type ReduceOp } from "../../kernels/reduce.ts";
import { mapElementwise, record, runKernel } from "./_run.ts";
import { reshape } from "./shape_ops.ts";

function dimsOf(t: Tensor, dim: number | number[] | undefined): number[] {
  if (dim === undefined) return t.shape.map((_, i) => i);
  const list = Array.isArray(dim) ? dim : [dim];
  const dims = [...new Set(list.map((d) => normalizeDim(d, t.ndim)))];
  return dims.sort((a, b) => b - a);
}

/** Reduces one dim with keepdim semantics (size 1 left in place). */
function reduceOne(t: Tensor, op: ReduceOp, dim: number): Tensor {
  const [outer, reduced, inner] = splitAt(t.shape, dim);
  const shape = t.shape.map((d, i) => (i === dim ? 1 : d));
  const kernel = reduceKernel({ op, outer, reduced, inner, dtype: t.dtype });
  return runKernel(kernel, [t], shape, op === "argmax" ? "int32" : t.dtype);
}

function finish(out: Tensor, t: Tensor, dims: number[], keepdim: boolean): Tensor {
  if (keepdim) return out;
  const shape = t.shape.filter((_, i) => !dims.includes(i));
  return out.share(shape);
}

function reduceDims(t: Tensor, op: ReduceOp, dims: number[]): Tensor {
  if (t.ndim === 0) return reduceOne(t.share([1]), op, 0).share([]);
  let cur = t;
  for (const d of dims) {
    const next = reduceOne(cur, op, d);
    if (cur !== t) cur.dispose();
    cur = next;
  }
  return cur === t ? t.share(t.shape) : cur;
}

/** Sum over dims (all when omitted). */
export function sum(t: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const dims = dimsOf(t, dim);
  const out = finish(reduceDims(t, "sum", dims), t, dims, keepdim);
  return record(out, "sum", [t], (g) => [expandGrad(g, t.shape, dims, keepdim)]);
}

/** Mean over dims (all when omitted). */
export function mean(t: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const dims = dimsOf(t, dim);
  const count = sizeOf(dims.map((d) => t.shape[d]));
  const total = reduceDims(t, "sum", dims);
  const out = finish(mapElementwise(`x0 / ${count}.0`, [total]), t, dims, keepdim);
  total.dispose();
  return record(out, "mean", [t], (g) => {
    const scaled = mapElementwise(`x0 / ${count}.0`, [g]);
    const res = expandGrad(scaled, t.shape, dims, keepdim);
    scaled.dispose();
    return [res];
  });
}

/** Broadcasts a reduced gradient back over the reduced dims. */
function expandGrad(g: Tensor, shape: readonly number[], dims: number[], keepdim: boolean): Tensor {
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const gk = keepdim ? g : g.share(kept);
  const res = mapElementwise("x0", [gk], { shape });
  if (gk !== g) gk.dispose();
  return res;
}

function extreme(t: Tensor, op: "max" | "min", dim: number | undefined, keepdim: boolean): Tensor {
  if (dim === undefined) return extremeAll(t, op);
  const d = normalizeDim(dim, t.ndim);
  if (t.ndim === 0) {
    // A scalar is its own extreme along its one implicit dim.
    return record(mapElementwise("x0", [t], { computeType: t.dtype }), op, [t], (g) => [g]);
  }
  if (t.shape[d] === 0) {
    throw new Error(`${op}() over dim ${dim} of shape [${t.shape}]: the dim is empty, no value`);
  }
  const values = reduceOne(t, op, d);
  const out = finish(values, t, [d], keepdim);
  return record(out, op, [t], (g) => {
    // The gradient goes to the first position holding the extreme, as torch's max(dim) does.
    const negated = op === "max" ? null : t.neg();
    const idx = reduceOne(negated ?? t, "argmax", d);
    negated?.dispose();
    const gk = keepdim ? g : g.share(values.shape);
    const res = mapElementwise(`select(0.0, x1, c${d} == u32(x0))`, [idx, gk], { shape: t.shape });
    idx.dispose();
    if (gk !== g) gk.dispose();
    return [res];
  });
}

/**
 * The extreme of all elements, a scalar. Ties share the gradient evenly, as torch's max() and
 * min() without a dim do (unlike the dim form, which gives it all to the first).
 */
function extremeAll(t: Tensor, op: "max" | "min"): Tensor {
  if (t.size === 0) {
    throw new Error(`${op}() of an empty tensor of shape [${t.shape}] has no value`);
  }
  const flat = t.share([t.size]);
  const value = reduceOne(flat, op, 0);
  flat.dispose();
  const out = value.share([]);
  value.dispose();
  return record(out, op, [t], (g) => {
    const hits = mapElementwise("select(0.0, 1.0, x0 == x1)", [t, out], { shape: t.shape });
    const flatHits = hits.share([t.size]);
    const count = reduceOne(flatHits, "sum", 0);
    const count0 = count.share([]);
    const res = mapElementwise("x0 * (x1 / x2)", [hits, g, count0], { shape: t.shape });
    for (const x of [hits, flatHits, count, count0]) x.dispose();
    return [res];
  });
}

/** Maximum over a dim (over everything when omitted). */
export function max(t: Tensor, dim?: number, keepdim = false): Tensor {
  return extreme(t, "max", dim, keepdim);
}

/** Minimum over a dim (over everything when omitted). */
export function min(t: Tensor, dim?: number, keepdim = false): Tensor {
  return extreme(t, "min", dim, keepdim);
}

/** Index of the first maximum along a dim (of the flattened tensor when omitted), int32. */
export function argmax(t: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return reduceOne(t.share([t.size]), "argmax", 0).share([]);
  const d = normalizeDim(dim, t.ndim);
  return finish(reduceOne(t, "argmax", d), t, [d], keepdim);
}

/** Sums a broadcast gradient back to `shape` (the inverse of broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const reduced = reduceDims(g, "sum", dims.sort((a, b) => b - a));
  const out = reshape(reduced, shape);
  if (out !== reduced) reduced.dispose();
  return out;
}
