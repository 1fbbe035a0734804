/**
 * Dropout's mask from the counter-based generator: element i is kept when the uniform draw for
 * counter (offset + i) is at least p, and kept values are scaled by 1/(1 - p). The mask is never
 * stored: the backward pass runs the same kernel with the same params over the output gradient,
 * which redraws the same mask.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { literal } from "./_grid.ts";
import { perElementRandomKernel } from "./random.ts";

/**
 * Builds the kernel; bind the input, then the output (same size). params come from
 * `nextRandomParams(n)`: [seedLo, seedHi, offsetLo, offsetHi].
 */
export function dropoutKernel(n: number, p: number): KernelSpec {
  // p = 1 drops everything; the scale is then never used but must stay finite.
  const scale = p < 1 ? 1 / (1 - p) : 0;
  return perElementRandomKernel(
    `dropout|${n}|${p}`,
    n,
    `@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;`,
    `let kept = uniform01(r.x) >= ${literal(p)};
  dst[i] = select(0.0, src[i] * ${literal(scale)}, kept);`,
  );
}
