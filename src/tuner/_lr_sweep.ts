/**
 * The learning-rate sweep: the rates of each step, and the callback (Lightning's `_LRCallback`)
 * that sets them, reads each step's loss back, smooths it and stops when it diverges.
 *
 * @module
 */
import type { StepOutput, System } from "../system/system.ts";
import { Callback } from "../trainer/callbacks/callback.ts";
import type { TrainerView } from "../trainer/trainer_view.ts";

/**
 * The learning rate of each of `n` steps, from `minLr` to `maxLr`: `minLr * (maxLr / minLr) **
 * (i / (n - 1))` (exponential) or `minLr + (maxLr - minLr) * i / (n - 1)` (linear); `[minLr]`
 * for one step.
 */
export function lrSchedule(
  mode: "exponential" | "linear",
  minLr: number,
  maxLr: number,
  n: number,
): number[] {
  return Array.from({ length: n }, (_, i) => {
    if (n === 1) return minLr;
    return mode === "exponential"
      ? minLr * (maxLr / minLr) ** (i / (n - 1))
      : minLr + (maxLr - minLr) * (i / (n - 1));
  });
}

/**
 * Sets the learning rate of every parameter group before each batch (the rate of the optimizer
 * step it leads to), and after each optimizer step records the rate and the batch's loss (one
 * readback), smoothed as Lightning does: `avg = beta * avg + (1 - beta) * loss`, divided by
 * `1 - beta ** (step + 1)` where `step` counts the optimizer steps taken (1 after the first, as
 * Lightning's `global_step` in `on_train_batch_end`). From the second step on, a smoothed loss
 * above `threshold` times the best one so far stops the sweep.
 */
export class LrSweep extends Callback {
  /** The rate of each recorded step. */
  readonly lrs: number[] = [];
  /** The smoothed loss of each recorded step. */
  readonly losses: number[] = [];
  /** The loss of each recorded step as read back. */
  readonly rawLosses: number[] = [];
  /** Whether the loss diverged and stopped the sweep. */
  stoppedEarly = false;
  #avg = 0;
  #best = 0;
  #stepBefore = 0;

  /** A sweep over `schedule` (a rate per optimizer step); `stop()` ends the run. */
  constructor(
    readonly schedule: readonly number[],
    readonly threshold: number | null,
    readonly stop: () => void,
    readonly beta = 0.98,
  ) {
    super();
  }

  /** Sets the rate of the coming optimizer step on every parameter group. */
  override onTrainBatchStart(trainer: TrainerView, system: System): void {
    this.#stepBefore = trainer.globalStep;
    const lr = this.schedule[Math.min(trainer.globalStep, this.schedule.length - 1)];
    for (const group of system.optimizer!.paramGroups) group.lr = lr;
  }

  /** Records the rate and the (smoothed) loss of a step that ended with an optimizer step. */
  override async onTrainBatchEnd(
    trainer: TrainerView,
    system: System,
    outputs: StepOutput,
  ): Promise<void> {
    const step = trainer.globalStep;
    if (step === this.#stepBefore) return; // A batch that only accumulated gradients.
    this.lrs.push(this.schedule[Math.min(step - 1, this.schedule.length - 1)]);
    const loss = outputs.loss ? await system.lossTotal(outputs.loss).item() : NaN;
    this.rawLosses.push(loss);
    this.#avg = this.beta * this.#avg + (1 - this.beta) * loss;
    const smoothed = this.#avg / (1 - this.beta ** (step + 1));
    if (this.threshold !== null && step > 1 && smoothed > this.threshold * this.#best) {
      this.stoppedEarly = true;
      this.stop();
    }
    if (smoothed < this.#best || step === 1) this.#best = smoothed;
    this.losses.push(smoothed);
  }
}
