/**
 * Embedding lookup and its deterministic gradient. The forward pass gathers rows of the table.
 * The backward pass never adds floats atomically: it first links the positions holding each
 * vocabulary row into a list in position order (firstPos[v] = first position, nextPos[l] = the next
 * position with the same index), then one thread per (row, column) walks its list and sums the
 * output gradient in that fixed order. Only integer atomics (atomicMin on firstPos) are used, and
 * their result does not depend on scheduling.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex } from "./_grid.ts";

/** An embedding's sizes: `count` indices into a [vocab, dim] table. */
export interface EmbeddingShape {
  count: number;
  vocab: number;
  dim: number;
}

const WG = 256;

/** out[l, d] = weight[indices[l], d] (NaN for an index out of range). Bind indices, weight, out. */
export function embeddingGatherKernel(sh: EmbeddingShape): KernelSpec {
  const total = sh.count * sh.dim;
  const workgroups = grid1d(total, WG);
  const source = () =>
    `@group(0) @binding(0) var<storage, read> indices: array<i32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (i >= ${total}u) { return; }
  let v = indices[i / ${sh.dim}u];
  // An out-of-range index cannot raise an error on the device: make it visible as NaN.
  if (v < 0 || v >= ${sh.vocab}) {
    out[i] = bitcast<f32>(0x7fc00000u);
    return;
  }
  out[i] = weight[u32(v) * ${sh.dim}u + i % ${sh.dim}u];
}
`;
  return { key: `emb_gather|${sh.count}|${sh.vocab}|${sh.dim}`, workgroups, source };
}

/**
 * Links positions by index. Bind indices, firstPos ([vocab] int32, filled with 2^31 - 1 beforehand),
 * then nextPos ([count] int32). Positions whose index is out of range or equals `paddingIdx` are left
 * out of every list, so they get no gradient.
 */
export function embeddingLinkKernel(sh: EmbeddingShape, paddingIdx: number | null): KernelSpec {
  const workgroups = grid1d(sh.count, WG);
  const skip = paddingIdx === null ? "" : ` || v == ${paddingIdx}`;
  const source = () =>
    `@group(0) @binding(0) var<storage, read> indices: array<i32>;
@group(0) @binding(1) var<storage, read_write> firstPos: array<atomic<i32>>;
@group(0) @binding(2) var<storage, read_write> nextPos: array<i32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let l = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (l >= ${sh.count}u) { return; }
  let v = indices[l];
  if (v < 0 || v >= ${sh.vocab}${skip}) {
    nextPos[l] = -1;
    return;
  }
  atomicMin(&firstPos[u32(v)], i32(l));
  var found = -1;
  for (var k = l + 1u; k < ${sh.count}u; k++) {
    if (indices[k] == v) {
      found = i32(k);
      break;
    }
  }
  nextPos[l] = found;
}
`;
  return {
    key: `emb_link|${sh.count}|${sh.vocab}|${paddingIdx}`,
    workgroups,
    source,
  };
}

/**
 * dweight[v, d] = sum over the positions l holding v, in order, of g[l, d]. Bind firstPos, nextPos, g,
 * then dweight ([vocab, dim]).
 */
export function embeddingAccumulateKernel(sh: EmbeddingShape): KernelSpec {
  const total = sh.vocab * sh.dim;
  const workgroups = grid1d(total, WG);
  const source = () =>
    `@group(0) @binding(0) var<storage, read> firstPos: array<i32>;
@group(0) @binding(1) var<storage, read> nextPos: array<i32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> dweight: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (i >= ${total}u) { return; }
  let d = i % ${sh.dim}u;
  var p = firstPos[i / ${sh.dim}u];
  var acc = 0.0;
  loop {
    if (p < 0 || p >= ${sh.count}) { break; }
    acc += g[u32(p) * ${sh.dim}u + d];
    p = nextPos[u32(p)];
  }
  dweight[i] = acc;
}
`;
  return { key: `emb_accum|${sh.count}|${sh.vocab}|${sh.dim}`, workgroups, source };
}
