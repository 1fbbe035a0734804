/**
 * What callbacks, loggers and the progress bar see of the Trainer: its options, the loop state and
 * the metrics read back so far. Callbacks get this view, not the class, so they stay small and
 * the trainer's internals can change.
 *
 * @module
 */
import type { Mode } from "../system/host.ts";
import type { Logger } from "./loggers/logger.ts";

/** The stage being run. */
export type Stage = "fit" | "validate" | "test" | "predict";

/** The Trainer as callbacks see it. */
export interface TrainerView {
  /** The stage being run now; null between stages. */
  readonly stage: Stage | null;
  /** The mode of the running loop (`val` in the sanity check and in-fit validation). */
  readonly mode: Mode | null;
  /** True while the sanity-check validation runs (callbacks that save or stop skip it). */
  readonly sanityChecking: boolean;
  /** The epoch being run, from 0. */
  readonly currentEpoch: number;
  /** Optimizer steps so far. */
  readonly globalStep: number;
  /** `max_epochs` (-1 for no limit). */
  readonly maxEpochs: number;
  /** `max_steps` (-1 for no limit). */
  readonly maxSteps: number;
  /** Batches per training epoch after `limit_train_batches` (Infinity when unknown). */
  readonly numTrainingBatches: number;
  /** Batches of each validation run (summed over val dataloaders), after limits. */
  readonly numValBatches: number;
  /** `log_every_n_steps` (optional here so that test doubles may leave it out; Lightning's default is 50). */
  readonly logEveryNSteps?: number;
  /** `fast_dev_run` as a batch count, or 0 when off: logging and checkpointing are suppressed. */
  readonly fastDevRun: number;
  /** The loggers (empty when `logger: false` or fast_dev_run). */
  readonly loggers: readonly Logger[];
  /** The first logger's version directory (`save_dir/name/version_N`), or undefined. */
  readonly logDir: string | undefined;
  /** `default_root_dir` (the process CWD by default). */
  readonly defaultRootDir: string;
  /**
   * The latest value of each logged key that has been read back: epoch values after each epoch's
   * read, step values after each periodic read. Callbacks that decide (ModelCheckpoint's monitor,
   * EarlyStopping) run after the epoch-end read, so this holds the epoch's values then.
   */
  readonly callbackMetrics: Readonly<Record<string, number>>;
  /** Reads every pending value back now (one readback) and returns `callbackMetrics`. */
  readMetrics(): Promise<Readonly<Record<string, number>>>;
  /** Set true to stop the fit after the current epoch (EarlyStopping does). */
  shouldStop: boolean;
  /** Writes a checkpoint of the whole fit state (or weights only) to `path`, atomically. */
  saveCheckpoint(path: string, options?: { weightsOnly?: boolean }): Promise<void>;
  /**
   * Drops the predict step outputs kept so far, so that `predict()` returns none of them (the
   * prediction writers call it after each batch, as Lighter clears Lightning's predictions).
   * Optional here so that test doubles may leave it out.
   */
  clearPredictions?(): void;
}
