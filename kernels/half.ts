/**
 * Rounds float32 values through float16 (needs shader-f16): what autocast does to the inputs and
 * outputs of the layers that have no half kernel of their own yet (convolutions). Values beyond
 * f16's range become ±inf, as a real f16 store would, so loss scaling sees the overflow.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d } from "./_grid.ts";

const WG = 256;

/**
 * WGSL `fn r1(x: f32) -> f32`: x rounded through f16, told by the bits (WGSL may assume finite
 * floats): NaN stays, |x| >= 65520 becomes ±inf. The matmul's half variant rounds its results with
 * it too. Needs `enable f16;`.
 */
export const ROUND_HALF_WGSL = `fn r1(x: f32) -> f32 {
  let bits = bitcast<u32>(x) & 0x7fffffffu;
  if (bits > 0x7f800000u) { return x; }
  let inf = bitcast<f32>((bitcast<u32>(x) & 0x80000000u) | 0x7f800000u);
  return select(f32(f16(clamp(x, -65504.0, 65504.0))), inf, bits >= 0x477ff000u);
}`;

/** Bind x (read, `n` elements), then y (read_write). */
export function roundHalfKernel(n: number): KernelSpec {
  const source = () =>
    `enable f16;
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
${ROUND_HALF_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WG}u + lid;
  if (i >= ${n}u) { return; }
  y[i] = r1(x[i]);
}
`;
  return { key: `half|round|${n}`, workgroups: grid1d(n, WG), source };
}
