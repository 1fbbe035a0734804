/** LinearLR: scales the rate by a factor moving linearly from `startFactor` to `endFactor`. */
import {
  type AnyOptimizer,
  LRScheduler,
  type SchedulerArgs,
  type SchedulerBaseOptions,
} from "./lr_scheduler.ts";
import { schedulerArgs } from "./_scheduler_args.ts";
import { checkNumber, checkPositiveInt } from "./_validate.ts";

/** Options of `LinearLR`. */
export interface LinearLROptions extends SchedulerBaseOptions {
  /** Factor at epoch 0, in [0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor from epoch `totalIters` on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Epochs over which the factor moves. Default 5. */
  totalIters?: number;
}

/**
 * Warm-up (or decay) by a linearly changing factor, with torch 1.13's recursion: at epoch
 * e <= totalIters the rate is multiplied by 1 + (end - start) / (totalIters * start +
 * (e - 1) * (end - start)).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.05 });
 * const sched = new optim.LinearLR(opt, { startFactor: 0.5, totalIters: 4 });
 * console.log(sched.getLastLr()); // [0.025]
 * for (let epoch = 0; epoch < 4; epoch++) sched.step();
 * console.log(sched.getLastLr()); // [0.05]
 * ```
 */
export class LinearLR
  extends LRScheduler<{ startFactor: number; endFactor: number; totalIters: number }> {
  /** `(optimizer, options?)` or one options object holding `optimizer` (see `SchedulerArgs`). */
  constructor(...args: SchedulerArgs<LinearLROptions> | [optimizer: AnyOptimizer]) {
    const { optimizer, options } = schedulerArgs(
      "LinearLR",
      ["startFactor", "endFactor", "totalIters"],
      args,
    );
    super(optimizer, {
      startFactor: checkNumber("LinearLR", "startFactor", options.startFactor ?? 1 / 3, { max: 1 }),
      endFactor: checkNumber("LinearLR", "endFactor", options.endFactor ?? 1, { max: 1 }),
      totalIters: checkPositiveInt("LinearLR", "totalIters", options.totalIters ?? 5),
    });
    this.start(options.lastEpoch);
  }

  /** This schedule's rate for each group at `lastEpoch`. */
  protected override computeLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n } = this.settings;
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * s);
    if (this.lastEpoch > n) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (e - s) / (n * s + (this.lastEpoch - 1) * (e - s))));
  }
}
