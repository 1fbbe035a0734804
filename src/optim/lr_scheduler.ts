/**
 * The learning-rate scheduler base, as torch 1.13's `_LRScheduler`: construction records each
 * group's `initialLr` and takes the first step (epoch 0); every `step()` advances `lastEpoch` and
 * writes the new rates into the optimizer's groups, computed by the same recursions as torch
 * (each from the group's current rate), so schedulers compose with code that changes rates too.
 *
 * @module
 */
import type { Optimizer } from "./optimizer.ts";
import { snakeCase } from "../util/case.ts";

/** What every scheduler offers; `ReduceLROnPlateau.step` takes the monitored metric. */
export interface Scheduler {
  /** Advances one epoch (or batch) and updates the optimizer's learning rates. */
  step(metric?: number): void;
  /** The learning rate of each group after the last step. */
  getLastLr(): number[];
  /** Everything needed to resume the schedule (torch's attribute names). */
  stateDict(): SchedulerStateDict;
  /** Restores a state from `stateDict()`. */
  loadStateDict(dict: SchedulerStateDict): void;
}

/** A scheduler's state: counters, base rates and hyperparameters, by snake_case name. */
export type SchedulerStateDict = Record<string, unknown>;

/** An optimizer of any kind, as schedulers see it. */
export type AnyOptimizer = Optimizer<{ lr: number }>;

/**
 * A scheduler's constructor arguments, in either of its two forms: `(optimizer, options)`, or one
 * options object holding `optimizer` too (how a YAML config builds it). Schedulers whose options
 * all have defaults also take `[optimizer: AnyOptimizer]` alone.
 */
export type SchedulerArgs<O> =
  | [optimizer: AnyOptimizer, options: O]
  | [config: O & { optimizer: AnyOptimizer }];

/** Options every `LRScheduler` takes. */
export interface SchedulerBaseOptions {
  /** The index of the last epoch when resuming (needs `initialLr` in every group). Default -1. */
  lastEpoch?: number;
}

/**
 * Base class of the epoch-driven schedulers. Subclasses pass their hyperparameters as `settings`
 * (saved in the state dict), implement `computeLr()` and call `start()` last in their constructor.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const sched: optim.LRScheduler = new optim.ExponentialLR(opt, { gamma: 0.5 });
 * sched.step();
 * console.log(sched.getLastLr()); // [0.05]
 * ```
 */
export abstract class LRScheduler<S extends object = object> implements Scheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** Each group's `initialLr` when the schedule started. */
  baseLrs: number[] = [];
  /** Steps taken since the start, counting the constructor's first step as epoch 0. */
  lastEpoch: number = -1;
  /** Calls of `step()`, the constructor's included (torch's `_step_count`). */
  protected stepCount = 0;
  /** The rates set by the last step. */
  protected lastLr: number[] = [];
  /** The subclass's hyperparameters, saved in and restored from state dicts. */
  protected settings: S;

  /** Stores the optimizer and the subclass's hyperparameters. */
  protected constructor(optimizer: AnyOptimizer, settings: S) {
    this.optimizer = optimizer;
    this.settings = settings;
  }

  /** Sets up `initialLr` and the base rates, then takes the first step (epoch `lastEpoch + 1`). */
  protected start(lastEpoch = -1): void {
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) g.initialLr ??= g.lr;
    } else {
      groups.forEach((g, i) => {
        if (typeof g.initialLr !== "number") {
          throw new Error(
            `Resuming a schedule at lastEpoch ${lastEpoch} needs 'initialLr' in every parameter ` +
              `group; group ${i} has none`,
          );
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.stepCount = 0;
    this.step();
  }

  /** The new rate of each group at `lastEpoch` (which `step()` has just advanced). */
  protected abstract computeLr(): number[];

  /** Advances one epoch and writes the new rates into the optimizer's groups. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = [...lrs];
  }

  /** The learning rate of each group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Counters, base rates and hyperparameters under torch's snake_case attribute names. */
  stateDict(): SchedulerStateDict {
    const dict: SchedulerStateDict = {
      last_epoch: this.lastEpoch,
      base_lrs: [...this.baseLrs],
      _step_count: this.stepCount,
      _last_lr: [...this.lastLr],
    };
    for (const [k, v] of Object.entries(this.settings)) {
      dict[snakeCase(k)] = Array.isArray(v) ? [...v] : v;
    }
    return dict;
  }

  /** Restores counters, base rates and hyperparameters from `stateDict()`. */
  loadStateDict(dict: SchedulerStateDict): void {
    const num = (k: string, fallback: number): number =>
      typeof dict[k] === "number" ? dict[k] as number : fallback;
    const list = (k: string, fallback: number[]): number[] =>
      Array.isArray(dict[k]) ? [...dict[k] as number[]] : fallback;
    this.lastEpoch = num("last_epoch", this.lastEpoch);
    this.stepCount = num("_step_count", this.stepCount);
    this.baseLrs = list("base_lrs", this.baseLrs);
    this.lastLr = list("_last_lr", this.lastLr);
    const settings = this.settings as Record<string, unknown>;
    for (const k of Object.keys(settings)) {
      const v = dict[snakeCase(k)];
      if (v !== undefined) settings[k] = Array.isArray(v) ? [...v] : v;
    }
  }
}
