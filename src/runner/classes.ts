/**
 * The System and Trainer classes the runner checks against, and what it calls on them. They are
 * taken from the config's `lumen` namespace (the root mod.ts), the same module that builds
 * `_target_: lumen.System`, so the `instanceof` checks compare with the classes that built them.
 *
 * @module
 */

import type { Config } from "../config/config.ts";
import type { StageOptions } from "./stage_args.ts";

/** What the runner calls on a System. */
export interface StageSystem {
  /** Keeps the raw config (saved in checkpoints). */
  saveHyperparameters(raw: Record<string, unknown>): void;
}

/** What the runner calls on a logger. */
export interface StageLogger {
  /** Records the raw config. */
  logHyperparams(raw: Record<string, unknown>): void | Promise<void>;
}

/** What the runner calls on a Trainer. */
export interface StageTrainer {
  /** The trainer's loggers (empty without a logger). */
  readonly loggers: readonly StageLogger[];
  /** Trains. */
  fit(system: StageSystem, options: StageOptions): Promise<void>;
  /** Evaluates on the val dataloader: one record of metrics per dataloader. */
  validate(system: StageSystem, options: StageOptions): Promise<Record<string, number>[]>;
  /** Evaluates on the test dataloader. */
  test(system: StageSystem, options: StageOptions): Promise<Record<string, number>[]>;
  /** Predicts: the step outputs, or undefined. */
  predict(system: StageSystem, options: StageOptions): Promise<unknown[] | undefined>;
}

type Class = abstract new (...args: never[]) => unknown;

/** The classes `system` and `trainer` must be instances of (undefined when not loaded). */
export interface RunnerClasses {
  /** `lumen.System`. */
  System: Class | undefined;
  /** `lumen.Trainer`. */
  Trainer: Class | undefined;
}

/** `lumen.System` and `lumen.Trainer` from the config's scope. */
export function runnerClasses(config: Config): RunnerClasses {
  const lumen = config.scope.lumen as Record<string, unknown> | undefined;
  const pick = (name: string): Class | undefined =>
    typeof lumen?.[name] === "function" ? lumen[name] as Class : undefined;
  return { System: pick("System"), Trainer: pick("Trainer") };
}
