/**
 * Batched matrix multiply C[b] = op(A[b]) · op(B[b]), where op transposes an operand in the loads
 * (no copy). Each thread computes a 4x4 block of C in registers; a workgroup of 8x8 threads covers
 * a 32x32 tile. Batch strides of 0 broadcast an operand over the batch.
 *
 * @module
 */
import type { KernelSpec } from "../src/device/device.ts";

/** A matmul's shape and operand layouts. */
export interface MatmulSpec {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** A is stored [K, M] (row-major) and read transposed. */
  transA: boolean;
  /** B is stored [N, K] and read transposed. */
  transB: boolean;
  /** Elements between consecutive batch items of A and B (0 = broadcast). */
  batchStrideA: number;
  batchStrideB: number;
}

const TILE = 32;

/** Builds the kernel; bind A, B, then C ([batch, M, N]). */
export function matmulKernel(spec: MatmulSpec): KernelSpec {
  const workgroups: [number, number, number] = [
    Math.ceil(spec.n / TILE),
    Math.ceil(spec.m / TILE),
    spec.batch,
  ];
  const key = `matmul|${spec.batch}|${spec.m}|${spec.n}|${spec.k}|${spec.transA}|${spec.transB}|` +
    `${spec.batchStrideA}|${spec.batchStrideB}`;
  return { key, workgroups, source: () => matmulSource(spec) };
}

function matmulSource(s: MatmulSpec): string {
  const aIndex = s.transA ? `k * ${s.m}u + row` : `row * ${s.k}u + k`;
  const bIndex = s.transB ? `col * ${s.k}u + k` : `k * ${s.n}u + col`;
  return `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

fn loadA(base: u32, row: u32, k: u32) -> f32 {
  if (row >= ${s.m}u) { return 0.0; }
  return a[base + ${aIndex}];
}
fn loadB(base: u32, k: u32, col: u32) -> f32 {
  if (col >= ${s.n}u) { return 0.0; }
  return b[base + ${bIndex}];
}

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wid.y * ${TILE}u + lid.y * 4u;
  let col0 = wid.x * ${TILE}u + lid.x * 4u;
  let baseA = wid.z * ${s.batchStrideA}u;
  let baseB = wid.z * ${s.batchStrideB}u;
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < ${s.k}u; k++) {
    let bv = vec4<f32>(loadB(baseB, k, col0), loadB(baseB, k, col0 + 1u),
                       loadB(baseB, k, col0 + 2u), loadB(baseB, k, col0 + 3u));
    acc[0] = fma(vec4<f32>(loadA(baseA, row0, k)), bv, acc[0]);
    acc[1] = fma(vec4<f32>(loadA(baseA, row0 + 1u, k)), bv, acc[1]);
    acc[2] = fma(vec4<f32>(loadA(baseA, row0 + 2u, k)), bv, acc[2]);
    acc[3] = fma(vec4<f32>(loadA(baseA, row0 + 3u, k)), bv, acc[3]);
  }
  let baseC = wid.z * ${s.m * s.n}u;
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + i;
    if (row >= ${s.m}u) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col < ${s.n}u) { c[baseC + row * ${s.n}u + col] = acc[i][j]; }
    }
  }
}
`;
}
