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
 * console.log(await w.data());
 * ```
 *
 * @module
 */
export {
  type FusedUpdate,
  Optimizer,
  type OptimizerArgs,
  type OptimizerConfig,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
  type ParamState,
} from "./optimizer.ts";
export { SGD, type SGDOptions } from "./sgd.ts";
export { AdamCore } from "./_adam_core.ts";
export { Adam, type AdamOptions } from "./adam.ts";
export { AdamW } from "./adamw.ts";
export { RMSprop, type RMSpropOptions } from "./rmsprop.ts";
export {
  type AnyOptimizer,
  LRScheduler,
  type Scheduler,
  type SchedulerArgs,
  type SchedulerBaseOptions,
  type SchedulerStateDict,
} from "./lr_scheduler.ts";
export { StepLR, type StepLROptions } from "./step_lr.ts";
export { MultiStepLR, type MultiStepLROptions } from "./multi_step_lr.ts";
export { ExponentialLR, type ExponentialLROptions } from "./exponential_lr.ts";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine_annealing_lr.ts";
export { LinearLR, type LinearLROptions } from "./linear_lr.ts";
export { OneCycleLR, type OneCycleLROptions, type OneCycleLRSettings } from "./one_cycle_lr.ts";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce_lr_on_plateau.ts";
