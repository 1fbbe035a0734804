/** StepLR: multiplies the rate by `gamma` every `stepSize` epochs. */
import { LRScheduler, type SchedulerArgs, type SchedulerBaseOptions } from "./lr_scheduler.ts";
import { schedulerArgs } from "./_scheduler_args.ts";
import { checkNumber, checkPositiveInt } from "./_validate.ts";

/** Options of `StepLR`. */
export interface StepLROptions extends SchedulerBaseOptions {
  /** Epochs between two decays (required). */
  stepSize: number;
  /** Multiplicative decay. Default 0.1. */
  gamma?: number;
}

/**
 * Decays each group's rate by `gamma` every `stepSize` epochs (torch 1.13's recursion).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.StepLR({ optimizer: opt, stepSize: 2, gamma: 0.5 });
 * for (let epoch = 0; epoch < 4; epoch++) sched.step();
 * console.log(sched.getLastLr()); // [0.25]
 * ```
 */
export class StepLR extends LRScheduler<{ stepSize: number; gamma: number }> {
  /** `(optimizer, options)` or one options object holding `optimizer` (see `SchedulerArgs`). */
  constructor(...args: SchedulerArgs<StepLROptions>) {
    const { optimizer, options } = schedulerArgs("StepLR", ["stepSize", "gamma"], args);
    super(optimizer, {
      stepSize: checkPositiveInt("StepLR", "stepSize", options.stepSize),
      gamma: checkNumber("StepLR", "gamma", options.gamma ?? 0.1),
    });
    this.start(options.lastEpoch);
  }

  /** This schedule's rate for each group at `lastEpoch`. */
  protected override computeLr(): number[] {
    const { stepSize, gamma } = this.settings;
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * gamma);
  }
}
