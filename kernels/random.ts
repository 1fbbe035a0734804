/**
 * Counter-based random numbers: element i of a draw with key (seed, offset) is a pure function of
 * (seed, offset + i), so results do not depend on the grid and a run is reproducible from a seed.
 * The mixer is a Philox-style 4x32 round function (10 rounds) written for WGSL's u32.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex } from "./_grid.ts";

/** What to draw: uniform in [0, 1), standard normal, or a keep-mask with probability `p` kept. */
export type RandomDistribution = "uniform" | "normal";

const WG = 256;

/** WGSL functions: `philox(ctr, key)` and `uniform01(bits)`. */
export const PHILOX_WGSL = /* wgsl */ `
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu; let a1 = a >> 16u; let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
  return vec2<u32>(hi, a * b);
}
fn philox(ctr_in: vec4<u32>, key_in: vec2<u32>) -> vec4<u32> {
  var c = ctr_in; var k = key_in;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mulhilo(0xD2511F53u, c.x);
    let p1 = mulhilo(0xCD9E8D57u, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}
fn uniform01(bits: u32) -> f32 { return f32(bits >> 8u) * (1.0 / 16777216.0); }
`;

/**
 * A kernel of one thread per element i < n whose `body` sees `i` and `r`, the four random words of
 * counter (offset + i) under the seed. `bindings` declares the buffers, ending with
 * `params: array<u32>` = [seedLo, seedHi, offsetLo, offsetHi] (from `nextRandomParams(n)`).
 */
export function perElementRandomKernel(
  key: string,
  n: number,
  bindings: string,
  body: string,
): KernelSpec {
  const workgroups = grid1d(n, WG);
  // The 64-bit counter offset + i, its low word's overflow carried into the high word.
  const source = () =>
    `${bindings}
${PHILOX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (i >= ${n}u) { return; }
  let lo = params[2] + i;
  let carry = select(0u, 1u, lo < i);
  let r = philox(vec4<u32>(lo, params[3] + carry, 0u, 0u), vec2<u32>(params[0], params[1]));
  ${body}
}
`;
  return { key, workgroups, source };
}

/** Builds the kernel; bind the output. params = [seedLo, seedHi, offsetLo, offsetHi]. */
export function randomKernel(n: number, dist: RandomDistribution): KernelSpec {
  const value = dist === "uniform"
    ? "uniform01(r.x)"
    // Box-Muller on two uniforms; 1 - u keeps the log's argument in (0, 1].
    : "sqrt(-2.0 * log(1.0 - uniform01(r.x))) * cos(6.283185307179586 * uniform01(r.y))";
  return perElementRandomKernel(
    `random|${dist}|${n}`,
    n,
    `@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;`,
    `out[i] = ${value};`,
  );
}
