/**
 * What a kernel builder returns and a device runs: the bottom of lumen's layers. Every file under
 * kernels/ builds these from plain numbers; src/device runs them.
 *
 * @module
 */

/** A compute kernel ready to dispatch: its WGSL, a cache key and the grid. */
export interface KernelSpec {
  /** Names the pipeline in the cache: equal keys must mean equal WGSL. */
  readonly key: string;
  /** Builds the WGSL source; called only when `key` is not cached yet. */
  readonly source: () => string;
  /** Number of workgroups along x, y and z. */
  readonly workgroups: readonly [number, number, number];
  /**
   * Small per-dispatch values (learning rates, step counts) bound after the buffers as
   * `var<storage, read> params: array<u32>` (floats written with their bit patterns), so that
   * changing them does not compile a new pipeline.
   */
  readonly params?: Uint32Array;
}
