/** ExponentialLR: multiplies the rate by `gamma` every epoch. */
import { LRScheduler, type SchedulerArgs, type SchedulerBaseOptions } from "./lr_scheduler.ts";
import { schedulerArgs } from "./_scheduler_args.ts";
import { checkNumber } from "./_validate.ts";

/** Options of `ExponentialLR`. */
export interface ExponentialLROptions extends SchedulerBaseOptions {
  /** Multiplicative decay per epoch (required). */
  gamma: number;
}

/**
 * Decays each group's rate by `gamma` every epoch.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const opt = new optim.Adam([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const sched = new optim.ExponentialLR({ optimizer: opt, gamma: 0.9 });
 * sched.step();
 * console.log(sched.getLastLr()); // ≈ [0.09]
 * ```
 */
export class ExponentialLR extends LRScheduler<{ gamma: number }> {
  /** `(optimizer, options)` or one options object holding `optimizer` (see `SchedulerArgs`). */
  constructor(...args: SchedulerArgs<ExponentialLROptions>) {
    const { optimizer, options } = schedulerArgs("ExponentialLR", ["gamma"], args);
    super(optimizer, { gamma: checkNumber("ExponentialLR", "gamma", options.gamma) });
    this.start(options.lastEpoch);
  }

  /** This schedule's rate for each group at `lastEpoch`. */
  protected override computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.settings.gamma);
  }
}
