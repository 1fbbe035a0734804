/**
 * Dropout's mask from the counter-based generator: element i is kept when the uniform draw for
 * counter (offset + i) is at least p, and kept values are scaled by 1/(1 - p). The mask is never
 * stored: the backward pass runs the same kernel with the same params over the output gradient,
 * which redraws the same mask.
 *
 * @module
 */
import type { KernelSpec } from "../src/device/device.ts";
import { grid1d, groupIndex, literal } from "./_grid.ts";
import { PHILOX_WGSL } from "./random.ts";

const WG = 256;

/**
 * Builds the kernel; bind the input, then the output (same size). params come from
 * `nextRandomParams(n)`: [seedLo, seedHi, offsetLo, offsetHi].
 */
export function dropoutKernel(n: number, p: number): KernelSpec {
  const workgroups = grid1d(n, WG);
  // p = 1 drops everything; the scale is then never used but must stay finite.
  const scale = p < 1 ? 1 / (1 - p) : 0;
  const source = () =>
    `@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;
${PHILOX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (i >= ${n}u) { return; }
  let lo = params[2] + i;
  let carry = select(0u, 1u, lo < i);
  let r = philox(vec4<u32>(lo, params[3] + carry, 0u, 0u), vec2<u32>(params[0], params[1]));
  let kept = uniform01(r.x) >= ${literal(p)};
  dst[i] = select(0.0, src[i] * ${literal(scale)}, kept);
}
`;
  return { key: `dropout|${n}|${p}`, workgroups, source };
}
