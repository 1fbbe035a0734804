/** ReduceLROnPlateau: cuts the rate when a monitored metric stops improving. */
import type { AnyOptimizer, Scheduler, SchedulerArgs, SchedulerStateDict } from "./lr_scheduler.ts";
import { schedulerArgs } from "./_scheduler_args.ts";
import { checkNumber } from "./_validate.ts";

/** Options of `ReduceLROnPlateau`. */
export interface ReduceLROnPlateauOptions {
  /** "min" (default): lower metrics are better; "max": higher are. */
  mode?: "min" | "max";
  /** New rate = rate * factor; must be < 1. Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before a cut. Default 10. */
  patience?: number;
  /** Least change that counts as an improvement. Default 1e-4. */
  threshold?: number;
  /** "rel" (default): relative to the best value; "abs": absolute. */
  thresholdMode?: "rel" | "abs";
  /** Epochs after a cut during which bad epochs are not counted. Default 0. */
  cooldown?: number;
  /** Lower bound of the rate, one number or one per group. Default 0. */
  minLr?: number | number[];
  /** Cuts smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

interface Settings {
  mode: "min" | "max";
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: "rel" | "abs";
  cooldown: number;
  minLrs: number[];
  eps: number;
}

const KNOWN = [
  "mode",
  "factor",
  "patience",
  "threshold",
  "thresholdMode",
  "cooldown",
  "minLr",
  "eps",
];

/**
 * Reduces each group's rate by `factor` once the metric passed to `step(metric)` has not improved
 * for more than `patience` epochs, as torch 1.13 does (threshold modes, cooldown, `minLr`, `eps`).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.ReduceLROnPlateau({ optimizer: opt, patience: 1, factor: 0.5 });
 * for (const loss of [3, 2, 2, 2]) sched.step(loss);
 * console.log(sched.getLastLr()); // [0.5]: two epochs without improvement
 * ```
 */
export class ReduceLROnPlateau implements Scheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** The epoch count, advanced by every `step()`. */
  lastEpoch = 0;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  #settings: Settings;
  #lastLr: number[] | null = null;

  /** `(optimizer, options?)` or one options object holding `optimizer` (see `SchedulerArgs`). */
  constructor(...args: SchedulerArgs<ReduceLROnPlateauOptions> | [optimizer: AnyOptimizer]) {
    const { optimizer, options: o } = schedulerArgs(
      "ReduceLROnPlateau",
      KNOWN,
      args,
    ) as { optimizer: AnyOptimizer; options: ReduceLROnPlateauOptions & { lastEpoch?: unknown } };
    if (o.lastEpoch !== undefined) {
      throw new TypeError(
        "ReduceLROnPlateau has no option 'lastEpoch'; restore with loadStateDict",
      );
    }
    this.optimizer = optimizer;
    const factor = checkNumber("ReduceLROnPlateau", "factor", o.factor ?? 0.1, { below: 1 });
    const groups = optimizer.paramGroups.length;
    const minLr = o.minLr ?? 0;
    let minLrs: number[];
    if (Array.isArray(minLr)) {
      if (minLr.length !== groups) {
        throw new RangeError(
          `ReduceLROnPlateau: expected ${groups} values for 'minLr' (one per group), got ` +
            `${minLr.length}`,
        );
      }
      minLrs = minLr.map((v, i) => checkNumber("ReduceLROnPlateau", `minLr[${i}]`, v));
    } else minLrs = new Array(groups).fill(checkNumber("ReduceLROnPlateau", "minLr", minLr));
    const mode = o.mode ?? "min";
    const thresholdMode = o.thresholdMode ?? "rel";
    this.#settings = {
      mode,
      factor,
      patience: checkNumber("ReduceLROnPlateau", "patience", o.patience ?? 10),
      threshold: checkNumber("ReduceLROnPlateau", "threshold", o.threshold ?? 1e-4),
      thresholdMode,
      cooldown: checkNumber("ReduceLROnPlateau", "cooldown", o.cooldown ?? 0),
      minLrs,
      eps: checkNumber("ReduceLROnPlateau", "eps", o.eps ?? 1e-8),
    };
    this.#checkModes();
    this.best = this.#worst();
  }

  #checkModes(): void {
    const { mode, thresholdMode } = this.#settings;
    if (mode !== "min" && mode !== "max") {
      throw new TypeError(
        `ReduceLROnPlateau: 'mode' must be "min" or "max", got ${JSON.stringify(mode)}`,
      );
    }
    if (thresholdMode !== "rel" && thresholdMode !== "abs") {
      throw new TypeError(
        `ReduceLROnPlateau: 'thresholdMode' must be "rel" or "abs", got ${
          JSON.stringify(thresholdMode)
        }`,
      );
    }
  }

  #worst(): number {
    return this.#settings.mode === "min" ? Infinity : -Infinity;
  }

  #isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this.#settings;
    if (mode === "min" && thresholdMode === "rel") return a < best * (1 - threshold);
    if (mode === "min") return a < best - threshold;
    if (thresholdMode === "rel") return a > best * (threshold + 1);
    return a > best + threshold;
  }

  /** Records one epoch's metric and cuts the rates when it has plateaued. */
  step(metric?: number): void {
    if (typeof metric !== "number") {
      throw new TypeError(
        `ReduceLROnPlateau.step() needs the monitored metric as a number, got ${typeof metric}`,
      );
    }
    const s = this.#settings;
    this.lastEpoch += 1;
    if (this.#isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > s.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * s.factor, s.minLrs[i]);
        if (g.lr - newLr > s.eps) g.lr = newLr;
      });
      this.cooldownCounter = s.cooldown;
      this.numBadEpochs = 0;
    }
    this.#lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rate of each group after the last step (the current rates before any). */
  getLastLr(): number[] {
    return [...(this.#lastLr ?? this.optimizer.paramGroups.map((g) => g.lr))];
  }

  /** Counters, best value and hyperparameters under torch's snake_case attribute names. */
  stateDict(): SchedulerStateDict {
    const s = this.#settings;
    return {
      mode: s.mode,
      factor: s.factor,
      patience: s.patience,
      threshold: s.threshold,
      threshold_mode: s.thresholdMode,
      cooldown: s.cooldown,
      min_lrs: [...s.minLrs],
      eps: s.eps,
      best: this.best,
      num_bad_epochs: this.numBadEpochs,
      cooldown_counter: this.cooldownCounter,
      last_epoch: this.lastEpoch,
      mode_worse: this.#worst(),
      ...(this.#lastLr ? { _last_lr: [...this.#lastLr] } : {}),
    };
  }

  /** Restores a state from `stateDict()` (a `best` of null, as JSON writes ±Infinity, is the worst). */
  loadStateDict(dict: SchedulerStateDict): void {
    const s = this.#settings;
    const pick = <T>(
      k: string,
      fallback: T,
    ): T => (dict[k] !== undefined ? dict[k] as T : fallback);
    this.#settings = {
      mode: pick("mode", s.mode),
      factor: pick("factor", s.factor),
      patience: pick("patience", s.patience),
      threshold: pick("threshold", s.threshold),
      thresholdMode: pick("threshold_mode", s.thresholdMode),
      cooldown: pick("cooldown", s.cooldown),
      minLrs: [...pick("min_lrs", s.minLrs)],
      eps: pick("eps", s.eps),
    };
    this.#checkModes();
    this.best = typeof dict.best === "number" ? dict.best : this.#worst();
    this.numBadEpochs = pick("num_bad_epochs", this.numBadEpochs);
    this.cooldownCounter = pick("cooldown_counter", this.cooldownCounter);
    this.lastEpoch = pick("last_epoch", this.lastEpoch);
    const last = dict._last_lr;
    this.#lastLr = Array.isArray(last) ? [...last as number[]] : null;
  }
}
