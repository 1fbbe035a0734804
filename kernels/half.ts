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

/** Bind x (read, `n` elements), then y (read_write). */
export function roundHalfKernel(n: number): KernelSpec {
  const source = () =>
    `enable f16;
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WG}u + lid;
  if (i >= ${n}u) { return; }
  let v = x[i];
  // Told by the bits (WGSL may assume finite floats): NaN stays, |v| >= 65520 becomes ±inf.
  let bits = bitcast<u32>(v) & 0x7fffffffu;
  let inf = bitcast<f32>((bitcast<u32>(v) & 0x80000000u) | 0x7f800000u);
  let rounded = select(f32(f16(clamp(v, -65504.0, 65504.0))), inf, bits >= 0x477ff000u);
  y[i] = select(rounded, v, bits > 0x7f800000u);
}
`;
  return { key: `half|round|${n}`, workgroups: grid1d(n, WG), source };
}
