/** CosineAnnealingLR: the rate follows half a cosine from its initial value to `etaMin`. */
import { LRScheduler, type SchedulerArgs, type SchedulerBaseOptions } from "./lr_scheduler.ts";
import { schedulerArgs } from "./_scheduler_args.ts";
import { checkNumber, checkPositiveInt } from "./_validate.ts";

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions extends SchedulerBaseOptions {
  /** Epochs of half a period (torch's `T_max`; a config's `T_max` camelizes to `TMax`, also taken). */
  tMax?: number;
  /** Alias of `tMax`, the camelCase of torch's `T_max`. */
  TMax?: number;
  /** Lowest rate. Default 0. */
  etaMin?: number;
}

/**
 * Cosine annealing with torch 1.13's recursive form (each rate from the previous one), which
 * past `tMax` climbs back up as SGDR's cosine does without restarts.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.CosineAnnealingLR(opt, { tMax: 4 });
 * for (let epoch = 0; epoch < 2; epoch++) sched.step();
 * console.log(sched.getLastLr()); // [0.5]
 * ```
 */
export class CosineAnnealingLR extends LRScheduler<{ tMax: number; etaMin: number }> {
  /** `(optimizer, options)` or one options object holding `optimizer` (see `SchedulerArgs`). */
  constructor(...args: SchedulerArgs<CosineAnnealingLROptions>) {
    const { optimizer, options } = schedulerArgs(
      "CosineAnnealingLR",
      ["tMax", "TMax", "etaMin"],
      args,
    );
    if (options.tMax !== undefined && options.TMax !== undefined) {
      throw new TypeError("CosineAnnealingLR: set 'tMax' or its alias 'TMax', not both");
    }
    super(optimizer, {
      tMax: checkPositiveInt("CosineAnnealingLR", "tMax", options.tMax ?? options.TMax),
      etaMin: checkNumber("CosineAnnealingLR", "etaMin", options.etaMin ?? 0),
    });
    this.start(options.lastEpoch);
  }

  /** This schedule's rate for each group at `lastEpoch`. */
  protected override computeLr(): number[] {
    const { tMax, etaMin } = this.settings;
    const e = this.lastEpoch;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) =>
        etaMin + (base - etaMin) * (1 + Math.cos(e * Math.PI / tMax)) / 2
      );
    }
    // Python's modulo, non-negative for a positive divisor.
    const period = 2 * tMax;
    if ((((e - 1 - tMax) % period) + period) % period === 0) {
      return groups.map((g, i) =>
        g.lr + (this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2
      );
    }
    return groups.map((g) =>
      (1 + Math.cos(Math.PI * e / tMax)) / (1 + Math.cos(Math.PI * (e - 1) / tMax)) *
        (g.lr - etaMin) + etaMin
    );
  }
}
