/** Sizes of 2-D windowed ops (convolution, pooling): one number for both dims, or a pair. */
import type { Size2d } from "./size2d.ts";

// For conv2d.ts and pool.ts, which import it from here.
export type { Size2d };

/** [height, width] from a number or pair, checked to be integers of at least `min`. */
export function pair(value: Size2d, what: string, min: number): [number, number] {
  const [h, w] = typeof value === "number" ? [value, value] : value;
  if (![h, w].every((v) => Number.isInteger(v) && v >= min)) {
    throw new Error(`${what} must be integers >= ${min}, got ${JSON.stringify(value)}`);
  }
  return [h, w];
}

/** Output length of a windowed op along one dim (torch's formula, floor mode). */
export function windowCount(
  size: number,
  kernel: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation: number,
): number {
  return Math.floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1;
}
