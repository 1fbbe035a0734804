/**
 * Reductions along one axis of a tensor viewed as [outer, R, inner]. Short rows get a thread per
 * output; long rows get a workgroup per output with a shared-memory tree, so a full sum of a
 * large tensor is not one thread's serial loop.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex, literal, wgslType } from "./_grid.ts";
import type { KernelDType } from "./elementwise.ts";

/** Which reduction. `argmax` yields the first index of the maximum, as int32. */
export type ReduceOp = "sum" | "max" | "min" | "argmax";

/** A reduction's shape and types. */
export interface ReduceSpec {
  op: ReduceOp;
  outer: number;
  reduced: number;
  inner: number;
  dtype: KernelDType;
}

const WG = 256;

function identity(op: ReduceOp, dtype: KernelDType): string {
  if (op === "sum") return dtype === "float32" ? "0.0" : "0";
  const big = dtype === "float32" ? Infinity : 2147483647;
  if (op === "min") return literal(big, dtype);
  return dtype === "float32" ? literal(-Infinity) : "i32(-2147483647 - 1)";
}

function combine(op: ReduceOp): string {
  if (op === "sum") return "a + b";
  if (op === "min") return "min(a, b)";
  return "max(a, b)";
}

/** Builds the kernel; bind the input, then the output ([outer, inner]). */
export function reduceKernel(spec: ReduceSpec): KernelSpec {
  const outputs = spec.outer * spec.inner;
  const tree = spec.reduced >= 256 || (outputs < 2048 && spec.reduced >= 32);
  const workgroups = tree ? grid1d(outputs, 1) : grid1d(outputs, WG);
  const key = `reduce|${spec.op}|${spec.outer}|${spec.reduced}|${spec.inner}|${spec.dtype}|${tree}`;
  return {
    key,
    workgroups,
    source: () => (tree ? treeSource(spec, workgroups) : rowSource(spec, workgroups)),
  };
}

function header(spec: ReduceSpec): string {
  const t = wgslType(spec.dtype);
  const outT = spec.op === "argmax" ? "i32" : t;
  return `@group(0) @binding(0) var<storage, read> src: array<${t}>;
@group(0) @binding(1) var<storage, read_write> dst: array<${outT}>;`;
}

function rowSource(spec: ReduceSpec, wg: readonly [number, number, number]): string {
  const { outer, reduced, inner } = spec;
  const t = wgslType(spec.dtype);
  const argmax = spec.op === "argmax";
  return `${header(spec)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = ${groupIndex(wg)} * ${WG}u + lid;
  if (o >= ${outer * inner}u) { return; }
  let base = (o / ${inner}u) * ${reduced * inner}u + o % ${inner}u;
  var acc: ${t} = ${identity(spec.op, spec.dtype)};
  var best: i32 = 0;
  for (var r = 0u; r < ${reduced}u; r++) {
    let v = src[base + r * ${inner}u];
    ${
    argmax
      ? "if (v > acc) { acc = v; best = i32(r); }"
      : `let a = acc; let b = v; acc = ${combine(spec.op)};`
  }
  }
  dst[o] = ${argmax ? "best" : "acc"};
}
`;
}

function treeSource(spec: ReduceSpec, wg: readonly [number, number, number]): string {
  const { reduced, inner } = spec;
  const t = wgslType(spec.dtype);
  const argmax = spec.op === "argmax";
  // For argmax the pair (value, index) is reduced; ties keep the smaller index, as torch does.
  const step = argmax
    ? `let ov = vals[lid + s]; let oi = idxs[lid + s];
       if (ov > vals[lid] || (ov == vals[lid] && oi < idxs[lid])) { vals[lid] = ov; idxs[lid] = oi; }`
    : `let a = vals[lid]; let b = vals[lid + s]; vals[lid] = ${combine(spec.op)};`;
  return `${header(spec)}
var<workgroup> vals: array<${t}, ${WG}>;
var<workgroup> idxs: array<i32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = ${groupIndex(wg)};
  let valid = o < ${spec.outer * inner}u;
  let base = (o / ${inner}u) * ${reduced * inner}u + o % ${inner}u;
  var acc: ${t} = ${identity(spec.op, spec.dtype)};
  var best: i32 = ${reduced};
  if (valid) {
    for (var r = lid; r < ${reduced}u; r += ${WG}u) {
      let v = src[base + r * ${inner}u];
      ${
    argmax
      ? "if (v > acc || best == " + reduced + ") { acc = v; best = i32(r); }"
      : `let a = acc; let b = v; acc = ${combine(spec.op)};`
  }
    }
  }
  vals[lid] = acc;
  idxs[lid] = best;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      ${step}
    }
    workgroupBarrier();
  }
  if (lid == 0u && valid) { dst[o] = ${argmax ? "idxs[0]" : "vals[0]"}; }
}
`;
}
