/**
 * `Callback`: Lightning's hooks, in camelCase, for code that runs beside the loops (checkpoints,
 * early stopping, writers, user callbacks from `project/mod.ts`). Every hook may be async; the
 * trainer awaits it. Hooks that run every batch must not read device values back (a readback
 * costs ~11 ms): use `trainer.callbackMetrics`, which the trainer fills asynchronously.
 *
 * @module
 */
import type { StepOutput, System } from "../../system/system.ts";
import type { Optimizer } from "../../optim/optimizer.ts";
import type { Tensor } from "../../tensor/tensor.ts";
import type { Stage, TrainerView } from "../trainer_view.ts";

/** What a hook may return. */
export type HookResult = void | Promise<void>;

/** The JSON part of a checkpoint that callbacks may read and add to in `onSaveCheckpoint`. */
export type CheckpointState = Record<string, unknown>;

/**
 * Base class of callbacks: override the hooks you need; the others do nothing. Hooks run in
 * Lightning's order: setup, onFitStart, onSanityCheckStart/End, onTrainStart, onTrainEpochStart,
 * onTrainBatchStart, onBeforeBackward, onAfterBackward, onBeforeOptimizerStep, onTrainBatchEnd,
 * onValidationStart, onValidationEpochStart, onValidationBatchStart/End, onValidationEpochEnd,
 * onValidationEnd, onTrainEpochEnd, onTrainEnd, onFitEnd, teardown (and the test/predict ones).
 *
 * @example
 * ```ts
 * import { callbacks } from "lumen";
 * class CountBatches extends callbacks.Callback {
 *   batches = 0;
 *   override onTrainBatchEnd(): void {
 *     this.batches++;
 *   }
 * }
 * const counter = new CountBatches();
 * console.log(counter.stateKey); // CountBatches
 * ```
 */
export class Callback {
  /** The key of this callback's state in a checkpoint (the class name, plus options that tell instances apart). */
  get stateKey(): string {
    return this.constructor.name;
  }
  /** State saved in checkpoints (JSON-serialisable). */
  stateDict(): Record<string, unknown> {
    return {};
  }
  /** Restores `stateDict()`'s output when a checkpoint is loaded. */
  loadStateDict(_state: Record<string, unknown>): void {}

  /** Before a stage starts, after the system is attached. */
  setup(_trainer: TrainerView, _system: System, _stage: Stage): HookResult {}
  /** After a stage ends (also after a failure). */
  teardown(_trainer: TrainerView, _system: System, _stage: Stage): HookResult {}
  /** When the stage fails with `error`. */
  onException(_trainer: TrainerView, _system: System, _error: unknown): HookResult {}

  /** fit begins. */
  onFitStart(_trainer: TrainerView, _system: System): HookResult {}
  /** fit ends. */
  onFitEnd(_trainer: TrainerView, _system: System): HookResult {}
  /** The sanity-check validation begins. */
  onSanityCheckStart(_trainer: TrainerView, _system: System): HookResult {}
  /** The sanity-check validation ends. */
  onSanityCheckEnd(_trainer: TrainerView, _system: System): HookResult {}

  /** Training begins (after the sanity check). */
  onTrainStart(_trainer: TrainerView, _system: System): HookResult {}
  /** Training ends. */
  onTrainEnd(_trainer: TrainerView, _system: System): HookResult {}
  /** A training epoch begins. */
  onTrainEpochStart(_trainer: TrainerView, _system: System): HookResult {}
  /** A training epoch ends (after its validation, as in Lightning). */
  onTrainEpochEnd(_trainer: TrainerView, _system: System): HookResult {}
  /** Before a training batch. */
  onTrainBatchStart(
    _trainer: TrainerView,
    _system: System,
    _batch: unknown,
    _batchIdx: number,
  ): HookResult {}
  /** After a training batch (after the optimizer step when one was taken). */
  onTrainBatchEnd(
    _trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    _batchIdx: number,
  ): HookResult {}
  /** Before `loss.backward()`. */
  onBeforeBackward(_trainer: TrainerView, _system: System, _loss: Tensor): HookResult {}
  /** After `loss.backward()`. */
  onAfterBackward(_trainer: TrainerView, _system: System): HookResult {}
  /** Before `optimizer.step()` (after gradient clipping). */
  onBeforeOptimizerStep(
    _trainer: TrainerView,
    _system: System,
    _optimizer: Optimizer<{ lr: number }>,
  ): HookResult {}

  /** A validation run begins (in fit, or the validate stage). */
  onValidationStart(_trainer: TrainerView, _system: System): HookResult {}
  /** A validation run ends; its epoch values have been read back into `callbackMetrics`. */
  onValidationEnd(_trainer: TrainerView, _system: System): HookResult {}
  /** A validation epoch begins. */
  onValidationEpochStart(_trainer: TrainerView, _system: System): HookResult {}
  /** A validation epoch ends. */
  onValidationEpochEnd(_trainer: TrainerView, _system: System): HookResult {}
  /** Before a validation batch. */
  onValidationBatchStart(
    _trainer: TrainerView,
    _system: System,
    _batch: unknown,
    _batchIdx: number,
  ): HookResult {}
  /** After a validation batch. */
  onValidationBatchEnd(
    _trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    _batchIdx: number,
  ): HookResult {}

  /** The test stage begins. */
  onTestStart(_trainer: TrainerView, _system: System): HookResult {}
  /** The test stage ends; its epoch values are in `callbackMetrics`. */
  onTestEnd(_trainer: TrainerView, _system: System): HookResult {}
  /** A test epoch begins. */
  onTestEpochStart(_trainer: TrainerView, _system: System): HookResult {}
  /** A test epoch ends. */
  onTestEpochEnd(_trainer: TrainerView, _system: System): HookResult {}
  /** Before a test batch. */
  onTestBatchStart(
    _trainer: TrainerView,
    _system: System,
    _batch: unknown,
    _batchIdx: number,
  ): HookResult {}
  /** After a test batch. */
  onTestBatchEnd(
    _trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    _batchIdx: number,
  ): HookResult {}

  /** The predict stage begins. */
  onPredictStart(_trainer: TrainerView, _system: System): HookResult {}
  /** The predict stage ends. */
  onPredictEnd(_trainer: TrainerView, _system: System): HookResult {}
  /** A predict epoch begins. */
  onPredictEpochStart(_trainer: TrainerView, _system: System): HookResult {}
  /** A predict epoch ends. */
  onPredictEpochEnd(_trainer: TrainerView, _system: System): HookResult {}
  /** Before a predict batch. */
  onPredictBatchStart(
    _trainer: TrainerView,
    _system: System,
    _batch: unknown,
    _batchIdx: number,
  ): HookResult {}
  /** After a predict batch. */
  onPredictBatchEnd(
    _trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    _batchIdx: number,
  ): HookResult {}

  /** A checkpoint is being written: `checkpoint` is its JSON part (add keys to keep more). */
  onSaveCheckpoint(
    _trainer: TrainerView,
    _system: System,
    _checkpoint: CheckpointState,
  ): HookResult {}
  /** A checkpoint was read, before its state is restored. */
  onLoadCheckpoint(
    _trainer: TrainerView,
    _system: System,
    _checkpoint: CheckpointState,
  ): HookResult {}
}
