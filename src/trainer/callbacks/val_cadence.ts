/**
 * When validation runs within a fit, as ModelCheckpoint and EarlyStopping need to know it.
 *
 * Lightning decides where these callbacks act from two trainer options: with
 * `val_check_interval == 1.0` and `check_val_every_n_epoch == 1` (the defaults) they act at the
 * end of each training epoch (after its validation, so both train and val epoch values are
 * there); when validation runs several times per epoch, or only every n epochs, they act at the
 * end of each validation instead. The TrainerView does not carry those two options, so this
 * tracker reads them off the hooks: a validation that ends before the epoch's last batch means
 * `val_check_interval < 1`; a complete epoch without validation while there are val batches
 * means `check_val_every_n_epoch > 1`.
 *
 * @module
 */
import type { TrainerView } from "../trainer_view.ts";

/** Follows the fit's hooks to tell where Lightning's epoch-level callbacks act. */
export class ValCadence {
  #batchesThisEpoch = 0;
  #valRanThisEpoch = false;
  #midEpochVal = false;
  #sparseVal = false;
  #valHasRun = false;

  /** True when validation ran (outside the sanity check) in the current training epoch. */
  get valRanThisEpoch(): boolean {
    return this.#valRanThisEpoch;
  }

  /** Lightning's `val_loop._has_run`: the latest validation run processed a batch (not sanity). */
  get valHasRun(): boolean {
    return this.#valHasRun;
  }

  /** Call from `onTrainEpochStart`. */
  epochStart(): void {
    this.#batchesThisEpoch = 0;
    this.#valRanThisEpoch = false;
  }

  /** Call from `onTrainBatchEnd`. */
  batchEnd(batchIdx: number): void {
    this.#batchesThisEpoch = batchIdx + 1;
  }

  /** True when `batchIdx` is the last batch of the training epoch (a known epoch length). */
  isLastBatch(trainer: TrainerView, batchIdx: number): boolean {
    return Number.isFinite(trainer.numTrainingBatches) &&
      batchIdx + 1 >= trainer.numTrainingBatches;
  }

  /** Call from `onValidationStart`. */
  validationStart(trainer: TrainerView): void {
    if (trainer.stage === "fit") this.#valHasRun = false;
  }

  /** Call from `onValidationBatchEnd`. */
  validationBatchEnd(trainer: TrainerView): void {
    if (trainer.stage === "fit" && !trainer.sanityChecking) this.#valHasRun = true;
  }

  /** Call from `onValidationEnd` (before deciding). */
  validationEnd(trainer: TrainerView): void {
    if (trainer.stage !== "fit" || trainer.sanityChecking) return;
    this.#valRanThisEpoch = true;
    if (
      Number.isFinite(trainer.numTrainingBatches) &&
      this.#batchesThisEpoch < trainer.numTrainingBatches
    ) {
      this.#midEpochVal = true;
    }
  }

  /** Call from `onTrainEpochEnd` (before deciding). */
  trainEpochEnd(trainer: TrainerView): void {
    const complete = !Number.isFinite(trainer.numTrainingBatches) ||
      this.#batchesThisEpoch >= trainer.numTrainingBatches;
    if (!this.#valRanThisEpoch && trainer.numValBatches > 0 && complete) this.#sparseVal = true;
  }

  /**
   * Lightning's default for `save_on_train_epoch_end` / `check_on_train_epoch_end`: act at the end
   * of the training epoch unless validation runs several times per epoch or not every epoch.
   */
  actsAtTrainEpochEnd(): boolean {
    return !this.#midEpochVal && !this.#sparseVal;
  }

  /** Whether a validation run is expected after the current epoch's last batch. */
  expectsValidation(trainer: TrainerView): boolean {
    return trainer.numValBatches > 0 && !this.#sparseVal;
  }
}
