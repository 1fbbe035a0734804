/** MultiStepLR: multiplies the rate by `gamma` at each milestone epoch. */
import { LRScheduler, type SchedulerArgs, type SchedulerBaseOptions } from "./lr_scheduler.ts";
import { schedulerArgs } from "./_scheduler_args.ts";
import { checkNumber } from "./_validate.ts";

/** Options of `MultiStepLR`. */
export interface MultiStepLROptions extends SchedulerBaseOptions {
  /** Epochs at which the rate decays; a milestone listed twice decays twice (required). */
  milestones: number[];
  /** Multiplicative decay. Default 0.1. */
  gamma?: number;
}

/**
 * Decays each group's rate by `gamma` once the epoch reaches each milestone (torch 1.13's
 * recursion, milestones counted as a multiset).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.MultiStepLR(opt, { milestones: [2, 3], gamma: 0.1 });
 * for (let epoch = 0; epoch < 3; epoch++) sched.step();
 * console.log(sched.getLastLr()); // ≈ [0.01]
 * ```
 */
export class MultiStepLR extends LRScheduler<{ milestones: number[]; gamma: number }> {
  /** `(optimizer, options)` or one options object holding `optimizer` (see `SchedulerArgs`). */
  constructor(...args: SchedulerArgs<MultiStepLROptions>) {
    const { optimizer, options } = schedulerArgs(
      "MultiStepLR",
      ["milestones", "gamma"],
      args,
    );
    const m = options.milestones;
    if (!Array.isArray(m) || m.some((x) => !Number.isInteger(x))) {
      throw new TypeError(
        `MultiStepLR: 'milestones' must be an array of integers, got ${JSON.stringify(m)}`,
      );
    }
    super(optimizer, {
      milestones: [...m].sort((a, b) => a - b),
      gamma: checkNumber("MultiStepLR", "gamma", options.gamma ?? 0.1),
    });
    this.start(options.lastEpoch);
  }

  /** This schedule's rate for each group at `lastEpoch`. */
  protected override computeLr(): number[] {
    const { milestones, gamma } = this.settings;
    const count = milestones.filter((m) => m === this.lastEpoch).length;
    const groups = this.optimizer.paramGroups;
    if (count === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * gamma ** count);
  }
}
