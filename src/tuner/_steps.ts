/**
 * Training steps for the tuners: the fit loop of a quiet Trainer (no loggers, checkpoints,
 * progress bar, sanity check or validation) with the user trainer's step settings (gradient
 * accumulation and clipping, the train batch limit), the tuner's callbacks only, and no
 * scheduler, as Lightning's tuners replace the trainer's callbacks and schedulers for their run.
 *
 * @module
 */
import type { Scheduler } from "../optim/lr_scheduler.ts";
import type { System } from "../system/system.ts";
import type { Callback } from "../trainer/callbacks/callback.ts";
import { Trainer } from "../trainer/trainer.ts";

/** Options of {@link runSteps}. */
export interface StepsOptions {
  /** Optimizer steps to take (across epochs when the loader is shorter). */
  steps: number;
  /** The tuner's callbacks; `stop()` ends the run after the current batch. */
  callbacks: (stop: () => void) => Callback[];
  /** Use the whole train loader, ignoring `limit_train_batches` (the batch-size finder does). */
  wholeLoader?: boolean;
}

/**
 * Runs `options.steps` training steps of `system` on a quiet copy of `trainer`'s step settings;
 * returns the number of optimizer steps taken. The system's scheduler is set aside meanwhile,
 * and the system is attached to `trainer` again afterwards.
 */
export async function runSteps(
  trainer: Trainer,
  system: System,
  options: StepsOptions,
): Promise<number> {
  const s = trainer.settings;
  const limit = s.limits.train;
  let quiet: Trainer | null = null;
  const stop = (): void => {
    if (quiet) quiet.settings.maxSteps = quiet.globalStep;
  };
  quiet = new Trainer({
    maxSteps: options.steps,
    maxEpochs: -1,
    numSanityValSteps: 0,
    limitValBatches: 0,
    limitTrainBatches: options.wholeLoader ? 1 : "count" in limit ? limit.count : limit.fraction,
    accumulateGradBatches: s.accumulateGradBatches,
    gradientClipVal: s.gradientClipVal,
    gradientClipAlgorithm: s.gradientClipAlgorithm,
    defaultRootDir: s.defaultRootDir,
    logEveryNSteps: s.logEveryNSteps,
    logger: false,
    enableCheckpointing: false,
    enableProgressBar: false,
    callbacks: options.callbacks(stop),
  });
  // `readonly` for users; the tuner sets it aside for its run and puts it back.
  const holder = system as { scheduler?: Scheduler };
  const scheduler = holder.scheduler;
  holder.scheduler = undefined;
  try {
    await quiet.fit(system);
  } finally {
    holder.scheduler = scheduler;
    system.attach(trainer);
  }
  return quiet.globalStep;
}
