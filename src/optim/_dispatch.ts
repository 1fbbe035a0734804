/**
 * Runs optimizer kernels (kernels/optim.ts) in place on parameters and their state, many
 * parameters per dispatch ("multi-tensor apply").
 */
import type { Tensor } from "../tensor/tensor.ts";
import { maxBindings, runInPlace } from "../ops/_run.ts";
import type { FusedUpdate } from "./fused_update.ts";
import { optimParams } from "../../kernels/optim.ts";

// For optimizer.ts, which imports it from here.
export type { FusedUpdate };

/**
 * How many parameters binding `perTensor` storage buffers each fit in one dispatch (`extra`
 * more bindings go to the skip flag).
 */
export function tensorsPerDispatch(perTensor: number, extra = 0): number {
  // One binding goes to params.
  return Math.max(1, Math.floor((maxBindings() - 1 - extra) / perTensor));
}

/**
 * Records `updates` in as few dispatches as the device's binding limit allows: updates with the
 * same variant and the same f32 hyperparameters (bit for bit, so each element computes exactly
 * what a dispatch of its own would) go together, at most `tensorsPerDispatch` at a time. With
 * `skip` (a GradScaler's overflow flag) the kernels leave everything as it was when it is raised.
 */
export function dispatchUpdates(updates: readonly FusedUpdate[], skip?: Tensor): void {
  const batches = new Map<string, FusedUpdate[]>();
  for (const u of updates) {
    const bits = new Uint32Array(new Float32Array(u.hyper).buffer);
    const key = `${u.variant}|${u.tensors.length}|${bits.join(",")}`;
    const list = batches.get(key);
    if (list) list.push(u);
    else batches.set(key, [u]);
  }
  for (const list of batches.values()) {
    const most = tensorsPerDispatch(list[0].tensors.length, skip ? 1 : 0);
    let chunk: FusedUpdate[] = [];
    const bound = new Set<Tensor["buffer"]>();
    for (const u of list) {
      // A buffer bound twice, once writable, fails validation: such updates go apart.
      const clash = u.tensors.some((t) => bound.has(t.buffer));
      if (chunk.length === most || clash) {
        run(chunk, skip);
        chunk = [];
        bound.clear();
      }
      chunk.push(u);
      for (const t of u.tensors) bound.add(t.buffer);
    }
    if (chunk.length > 0) run(chunk, skip);
  }
}

/** One dispatch over every update of `chunk` (same variant and hyperparameters). */
function run(chunk: readonly FusedUpdate[], skip?: Tensor): void {
  const sizes = chunk.map((u) => u.tensors[1].size);
  const params = optimParams(sizes, chunk[0].hyper);
  const tensors = chunk.flatMap((u) => u.tensors);
  if (skip) tensors.push(skip);
  runInPlace({ ...chunk[0].kernel(sizes, !!skip), params }, tensors);
}
