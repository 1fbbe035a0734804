/**
 * Workgroup reductions shared by the batch and layer norm kernels: a shared-memory tree sum, the
 * two-pass centred statistics built on it (mean, then the centred sum of squares, so the variance
 * does not suffer E[x²] - E[x]² cancellation) and the opening of a one-workgroup-per-item `main`.
 *
 * @module
 */
import { groupIndex } from "./_grid.ts";

/**
 * WGSL summing each of `names` (workgroup arrays of `size`) into its element 0, every thread
 * taking part.
 */
export function treeSum(names: string[], size: number): string {
  const adds = names.map((n) => `${n}[lid] += ${n}[lid + k];`).join(" ");
  return `workgroupBarrier();
  for (var k = ${size / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { ${adds} }
    workgroupBarrier();
  }`;
}

/**
 * WGSL of the two statistics passes over `count` values, `value` being the WGSL of value `e`, read
 * by thread `lid` at e = lid, lid + size, ... (only when `valid`): leaves `mean` in scope and the
 * sum of squared deviations from it in `part[0]` (a workgroup array of `size`).
 */
export function centredSums(value: string, count: number, size: number): string {
  return `var acc = 0.0;
  if (valid) {
    for (var e = lid; e < ${count}u; e += ${size}u) { acc += ${value}; }
  }
  part[lid] = acc;
  ${treeSum(["part"], size)}
  let mean = part[0] / ${count}.0;
  workgroupBarrier();
  acc = 0.0;
  if (valid) {
    for (var e = lid; e < ${count}u; e += ${size}u) {
      let d = ${value} - mean;
      acc += d * d;
    }
  }
  part[lid] = acc;
  ${treeSum(["part"], size)}`;
}

/** WGSL opening `main` with one workgroup per item (`name`, below `count` when `valid`). */
export function itemPerGroupMain(
  workgroups: readonly [number, number, number],
  size: number,
  name: string,
  count: number,
): string {
  return `@compute @workgroup_size(${size})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let ${name} = ${groupIndex(workgroups)};
  let valid = ${name} < ${count}u;`;
}
