/**
 * `LearningRateMonitor`: Lightning 2.6's callback that logs the optimizer's learning rate (and
 * optionally momentum and weight decay) of each parameter group to the trainer's loggers.
 *
 * @module
 */
import type { Optimizer, ParamGroup } from "../../optim/optimizer.ts";
import type { System } from "../../system/system.ts";
import { checkOptions } from "../../util/options.ts";
import type { TrainerView } from "../trainer_view.ts";
import { Callback } from "./callback.ts";
import { checkBool } from "./checks.ts";
import { warnOnce } from "./files.ts";
import { pyStrRepr } from "./python_compat.ts";

/** When the rates are logged: every `log_every_n_steps` steps, every epoch, or as each scheduler steps. */
export type LoggingInterval = "step" | "epoch" | null;

/** Options of {@link LearningRateMonitor} (Lightning's arguments in camelCase). */
export interface LearningRateMonitorOptions {
  /**
   * `"step"`: log at training batch starts, every `log_every_n_steps`; `"epoch"`: at training
   * epoch starts; null (default): at the scheduler's interval (lumen's schedulers step per
   * epoch), and every step too for an optimizer without a scheduler.
   */
  loggingInterval?: LoggingInterval;
  /** Also log each group's momentum (`betas[0]` for Adam-like optimizers) as `<key>-momentum`. */
  logMomentum?: boolean;
  /** Also log each group's weight decay as `<key>-weight_decay`. */
  logWeightDecay?: boolean;
}

const OPTION_NAMES = [
  "loggingInterval",
  "logMomentum",
  "logWeightDecay",
] as const satisfies readonly (keyof LearningRateMonitorOptions)[];

const OWNER = "LearningRateMonitor";

/** A scheduler's interval, or "any" when the monitor's own interval overrides it. */
type Interval = "step" | "epoch" | "any";

/** The interval of the System's scheduler: lumen's trainer steps schedulers once per epoch. */
const SCHEDULER_INTERVAL = "epoch";

type AnyGroup = ParamGroup<{ lr: number }>;

/** Lightning's `_duplicate_param_group_names`. */
function duplicateGroupNames(groups: readonly AnyGroup[]): string[] {
  const names = groups.map((g, i) => g.name !== undefined ? String(g.name) : `pg${i + 1}`);
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}

/** Lightning's `_add_suffix`: `/pgN` (or the group's `name`) when there are several groups. */
function groupKey(name: string, groups: readonly AnyGroup[], i: number): string {
  const pgName = groups[i].name;
  if (groups.length > 1) return `${name}/${pgName !== undefined ? String(pgName) : `pg${i + 1}`}`;
  return pgName ? `${name}/${String(pgName)}` : name;
}

/**
 * Logs learning rates as Lightning's `LearningRateMonitor` does: the key is `lr-<Optimizer>`
 * (`lr-Adam`), with `/pg1`, `/pg2`, ... (or each group's `name`) when the optimizer has several
 * parameter groups, plus `-momentum` / `-weight_decay` keys when asked. Rows go straight to every
 * logger (`logger.logMetrics(values, globalStep)`) and into `trainer.callbackMetrics`; the rates
 * are host numbers, so nothing is read from the device. A trainer without a logger is an error
 * when training starts; with `fast_dev_run` the monitor does nothing (Lightning disables it).
 *
 * @example
 * ```ts
 * import { callbacks } from "lumen";
 * const monitor = new callbacks.LearningRateMonitor({ loggingInterval: "step", logMomentum: true });
 * console.log(monitor.loggingInterval, monitor.logMomentum); // step true
 * ```
 */
export class LearningRateMonitor extends Callback {
  /** `"step"`, `"epoch"` or null (each scheduler's own interval). */
  readonly loggingInterval: LoggingInterval;
  /** Whether momentum values are logged. */
  readonly logMomentum: boolean;
  /** Whether weight decay values are logged. */
  readonly logWeightDecay: boolean;
  /** Every learning rate logged so far, by key (Lightning's `lrs`). */
  lrs: Record<string, number[]> = {};
  /** The last momentum logged, by `<key>-momentum` (null before the first). */
  lastMomentumValues: Record<string, number | null> = {};
  /** The last weight decay logged, by `<key>-weight_decay` (null before the first). */
  lastWeightDecayValues: Record<string, number | null> = {};

  /** Checks the options (Lightning's error for an unknown interval). */
  constructor(options: LearningRateMonitorOptions = {}) {
    super();
    checkOptions(OWNER, options, OPTION_NAMES);
    const o = options ?? {};
    const interval = o.loggingInterval ?? null;
    if (interval !== null && interval !== "step" && interval !== "epoch") {
      throw new Error("logging_interval should be `step` or `epoch` or `None`.");
    }
    this.loggingInterval = interval;
    this.logMomentum = checkBool(OWNER, "logMomentum", o.logMomentum ?? false);
    this.logWeightDecay = checkBool(OWNER, "logWeightDecay", o.logWeightDecay ?? false);
  }

  /** Checks that there is a logger and names the keys (Lightning's `on_train_start`). */
  override onTrainStart(trainer: TrainerView, system: System): void {
    if (trainer.fastDevRun > 0) return;
    if (trainer.loggers.length === 0) {
      throw new Error(
        "Cannot use `LearningRateMonitor` callback with `Trainer` that has no logger.",
      );
    }
    const optimizer = system.optimizer;
    if (!optimizer) return;
    if (
      this.logMomentum && !("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults)
    ) {
      warnOnce(
        "RuntimeWarning: You have set log_momentum=True, but some optimizers do not have " +
          "momentum. This will log a value 0 for the momentum.",
      );
    }
    const names = this.#keys(optimizer);
    this.lrs = Object.fromEntries(names.map((n) => [n, []]));
    this.lastMomentumValues = Object.fromEntries(names.map((n) => [`${n}-momentum`, null]));
    this.lastWeightDecayValues = Object.fromEntries(names.map((n) => [`${n}-weight_decay`, null]));
  }

  /** Logs every `log_every_n_steps` steps, unless the interval is "epoch". */
  override async onTrainBatchStart(trainer: TrainerView, system: System): Promise<void> {
    if (!this.#active(trainer)) return;
    const every = trainer.logEveryNSteps ?? 50;
    // Lightning's should_update_logs: `+ 1` since no step has been taken for this batch yet.
    if ((trainer.globalStep + 1) % every !== 0 && !trainer.shouldStop) return;
    if (this.loggingInterval === "epoch") return;
    await this.#log(trainer, system, this.loggingInterval === null ? "step" : "any");
  }

  /** Logs at each training epoch start, unless the interval is "step". */
  override async onTrainEpochStart(trainer: TrainerView, system: System): Promise<void> {
    if (!this.#active(trainer) || this.loggingInterval === "step") return;
    await this.#log(trainer, system, this.loggingInterval === null ? "epoch" : "any");
  }

  #active(trainer: TrainerView): boolean {
    return trainer.fastDevRun === 0 && trainer.loggers.length > 0;
  }

  async #log(trainer: TrainerView, system: System, interval: Interval): Promise<void> {
    const stats = this.#extract(system, interval);
    if (Object.keys(stats).length === 0) return;
    Object.assign(trainer.callbackMetrics as Record<string, number>, stats);
    for (const logger of trainer.loggers) await logger.logMetrics(stats, trainer.globalStep);
  }

  /** The keys of the optimizer's groups (Lightning's `_check_duplicates_and_update_name`). */
  #keys(optimizer: Optimizer): string[] {
    const name = `lr-${optimizer.constructor.name}`;
    const groups = optimizer.paramGroups;
    const duplicates = duplicateGroupNames(groups);
    if (duplicates.length) {
      throw new Error(
        "A single `Optimizer` cannot have multiple parameter groups with identical `name` " +
          `values. ${name} has duplicated parameter group names ` +
          `{${duplicates.map(pyStrRepr).join(", ")}}`,
      );
    }
    return groups.map((_, i) => groupKey(name, groups, i));
  }

  /** Lightning's `_extract_stats` for the System's one optimizer. */
  #extract(system: System, interval: Interval): Record<string, number> {
    const optimizer = system.optimizer;
    if (!optimizer) return {};
    const keys = this.#keys(optimizer);
    this.#remapKeys(keys);
    // An optimizer with a scheduler is logged at the scheduler's interval; one without, always.
    const scheduled = system.scheduler !== undefined && system.scheduler !== null;
    if (scheduled && interval !== SCHEDULER_INTERVAL && interval !== "any") return {};
    const stats: Record<string, number> = {};
    const useBetas = "betas" in optimizer.defaults;
    optimizer.paramGroups.forEach((group, i) => {
      const key = keys[i];
      stats[key] = group.lr;
      (this.lrs[key] ??= []).push(group.lr);
      if (this.logMomentum) {
        const momentum = useBetas
          ? (group.betas as readonly number[])[0]
          : typeof group.momentum === "number"
          ? group.momentum
          : 0;
        stats[`${key}-momentum`] = momentum;
        this.lastMomentumValues[`${key}-momentum`] = momentum;
      }
      if (this.logWeightDecay) {
        const decay = typeof group.weightDecay === "number" ? group.weightDecay : 0;
        stats[`${key}-weight_decay`] = decay;
        this.lastWeightDecayValues[`${key}-weight_decay`] = decay;
      }
    });
    return stats;
  }

  /** Lightning's `_remap_keys`: `lr-X` becomes `lr-X/pg1` when groups are added. */
  #remapKeys(keys: readonly string[], token = "/pg1"): void {
    for (const key of keys) {
      const old = key.replace(token, "");
      if (key.includes(token) && old in this.lrs) {
        this.lrs[key] = this.lrs[old];
        delete this.lrs[old];
      } else if (!(key in this.lrs)) this.lrs[key] = [];
    }
  }
}
