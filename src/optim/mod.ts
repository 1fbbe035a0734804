/**
 * Optimizers and learning-rate schedulers with torch 1.13's update rules and curves. Every
 * optimizer step runs fused WGSL kernels that each update many parameter tensors at once
 * (multi-tensor apply), their hyperparameters passed as per-dispatch params, so schedulers
 * changing rates never compile a new kernel.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const w = tensor([1, -2, 3], { requiresGrad: true });
 * const opt = new optim.AdamW({ params: [w], lr: 0.1 });
 * const sched = new optim.CosineAnnealingLR({ optimizer: opt, tMax: 10 });
 * for (let i = 0; i < 10; i++) {
 *   w.mul(w).sum().backward();
 *   opt.step();
 *   opt.zeroGrad();
 *   sched.step();
 * }
 * console.log(await w.data()); // ≈ Float32Array(3) [0.4593, -1.4452, 2.4378]
 * ```
 *
 * @module
 */
// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
// Before optimizer.ts, which re-exports `FusedUpdate` by name (deno doc keeps the first's).
export type * from "./fused_update.ts";
export * from "./optimizer.ts";
export * from "./sgd.ts";
export * from "./_adam_core.ts";
export * from "./adam.ts";
export * from "./adamw.ts";
export * from "./rmsprop.ts";
export * from "./lr_scheduler.ts";
export * from "./step_lr.ts";
export * from "./multi_step_lr.ts";
export * from "./exponential_lr.ts";
export * from "./cosine_annealing_lr.ts";
export * from "./linear_lr.ts";
export * from "./one_cycle_lr.ts";
export * from "./reduce_lr_on_plateau.ts";
export * from "./grad_scaler.ts";
