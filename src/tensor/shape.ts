/** Shape arithmetic: sizes, strides, broadcasting and axis normalisation. */

import { sizeOf, stridesOf } from "../../kernels/shape.ts";

export { sizeOf, stridesOf };

/** The broadcast of several shapes, as NumPy and PyTorch define it. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const d = rank - s.length + i;
      const a = out[d], b = s[i];
      if (a === b || b === 1) continue;
      if (a === 1) out[d] = b;
      else {
        throw new Error(
          `Shapes ${
            shapes.map((x) => `[${x}]`).join(", ")
          } cannot be broadcast together (dim ${d}: ${a} vs ${b})`,
        );
      }
    }
  }
  return out;
}

/** Strides to read a contiguous `shape` as if it had `outShape` (0 along broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, d) => {
    const i = d - offset;
    if (i < 0 || shape[i] === 1) return 0;
    return own[i];
  });
}

/** A dim in [-rank, rank) made non-negative, or a clear error. */
export function normalizeDim(dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new RangeError(`Dimension ${dim} is out of range for a tensor of rank ${rank}`);
  }
  return dim < 0 ? dim + r : dim;
}

/** `[outer, size of dim, inner]` for a reduction along `dim`. */
export function splitAt(shape: readonly number[], dim: number): [number, number, number] {
  return [sizeOf(shape.slice(0, dim)), shape[dim] ?? 1, sizeOf(shape.slice(dim + 1))];
}

/** Resolves one `-1` in a target shape and checks the element count. */
export function inferShape(shape: readonly number[], size: number): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw new Error(`Only one dimension can be -1, got [${shape}]`);
  const known = sizeOf(shape.filter((d) => d !== -1));
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (sizeOf(out) !== size || out.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`Shape [${shape}] is invalid for a tensor of ${size} elements`);
  }
  return out;
}
