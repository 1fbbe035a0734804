/**
 * Dynamic loss scaling on the device (the kernels of `GradScaler`, torch.cuda.amp's rule), so that
 * a mixed-precision step never waits for the host to learn whether a gradient overflowed:
 *
 * - `unscaleKernel` divides a gradient by the scale in place and raises the `found` flag when an
 *   element is not finite (inf or NaN: all exponent bits set; WGSL has no isinf and may assume
 *   finite floats, so the test reads the bits).
 * - the optimizer kernels (kernels/optim.ts) bind `found` and leave parameters and state as they
 *   were when it is raised;
 * - `scaleUpdateKernel` then halves the scale on overflow, doubles it after `growthInterval`
 *   clean steps, and lowers the flag for the next step.
 *
 * Each of scale, clean steps (since the last overflow or growth) and found is a one-element
 * float32 buffer.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d } from "./_grid.ts";

const WG = 256;

/** Bind grad (read_write, `n` elements), scale (read), found (read_write); no params. */
export function unscaleKernel(n: number): KernelSpec {
  const source = () =>
    `@group(0) @binding(0) var<storage, read_write> grad: array<f32>;
@group(0) @binding(1) var<storage, read> scale: array<f32>;
@group(0) @binding(2) var<storage, read_write> found: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WG}u + lid;
  if (i >= ${n}u) { return; }
  let g = grad[i] * (1.0 / scale[0]);
  if ((bitcast<u32>(g) & 0x7f800000u) == 0x7f800000u) { found[0] = 1.0; }
  grad[i] = g;
}
`;
  return { key: `grad_scale|unscale|${n}`, workgroups: grid1d(n, WG), source };
}

/**
 * One thread updates the scale and the clean-step count from the flag and lowers it. Bind scale,
 * clean and found (read_write), then params: [growth factor, backoff factor, growth interval] as
 * f32 bits.
 */
export function scaleUpdateKernel(): KernelSpec {
  const source = () =>
    `@group(0) @binding(0) var<storage, read_write> scale: array<f32>;
@group(0) @binding(1) var<storage, read_write> clean: array<f32>;
@group(0) @binding(2) var<storage, read_write> found: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;
@compute @workgroup_size(1)
fn main() {
  let growth = bitcast<f32>(params[0]);
  let backoff = bitcast<f32>(params[1]);
  let interval = bitcast<f32>(params[2]);
  if (found[0] != 0.0) {
    scale[0] = scale[0] * backoff;
    clean[0] = 0.0;
  } else {
    let steps = clean[0] + 1.0;
    if (steps >= interval) {
      let grown = scale[0] * growth;
      // torch keeps the scale when growing it would overflow f32.
      if ((bitcast<u32>(grown) & 0x7f800000u) != 0x7f800000u) { scale[0] = grown; }
      clean[0] = 0.0;
    } else {
      clean[0] = steps;
    }
  }
  found[0] = 0.0;
}
`;
  return { key: "grad_scale|update", workgroups: [1, 1, 1], source };
}
