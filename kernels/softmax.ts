/**
 * Softmax and log-softmax along one axis of a tensor viewed as [outer, R, inner], one thread per
 * row: the max, the sum of exponentials and the writes in three passes over the row.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex } from "./_grid.ts";

/** A softmax's shape; `log` selects log-softmax. */
export interface SoftmaxSpec {
  outer: number;
  reduced: number;
  inner: number;
  log: boolean;
}

const WG = 64;

/** Builds the kernel; bind the input, then the output (same shape). */
export function softmaxKernel(spec: SoftmaxSpec): KernelSpec {
  const rows = spec.outer * spec.inner;
  const workgroups = grid1d(rows, WG);
  const key = `softmax|${spec.outer}|${spec.reduced}|${spec.inner}|${spec.log}`;
  const { reduced: r, inner } = spec;
  const source = () =>
    `@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (o >= ${rows}u) { return; }
  let base = (o / ${inner}u) * ${r * inner}u + o % ${inner}u;
  var m = bitcast<f32>(0xff800000u);
  for (var j = 0u; j < ${r}u; j++) { m = max(m, src[base + j * ${inner}u]); }
  var total = 0.0;
  for (var j = 0u; j < ${r}u; j++) { total += exp(src[base + j * ${inner}u] - m); }
  let logTotal = log(total);
  for (var j = 0u; j < ${r}u; j++) {
    let z = src[base + j * ${inner}u] - m;
    dst[base + j * ${inner}u] = ${spec.log ? "z - logTotal" : "exp(z) / total"};
  }
}
`;
  return { key, workgroups, source };
}
