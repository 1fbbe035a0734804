/**
 * Workgroup-shared reductions for the kernels that give a long row one workgroup (softmax,
 * cross-entropy): the row length from which they do, the workgroup size, and the tree step.
 *
 * @module
 */

/** Rows longer than this get one workgroup each; shorter ones one thread each. */
export const LONG_ROW = 256;

/** Threads of a row's workgroup (a power of two). */
export const ROW_WG = 256;

/**
 * WGSL of a shared-memory tree over `size` slots (a power of two): `step` runs for each slot
 * `lid < k` with its partner `lid + k`, halving k from size / 2 to 1, between barriers; the
 * result is left in slot 0. Every thread of the workgroup must reach it.
 */
export function tree(size: number, step: string): string {
  return `workgroupBarrier();
  for (var k = ${size / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { ${step} }
    workgroupBarrier();
  }`;
}
