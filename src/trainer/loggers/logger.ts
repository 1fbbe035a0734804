/**
 * The logger interface: what the trainer calls with numbers that have been read back. Loggers
 * never see device tensors.
 *
 * @module
 */

/** A destination for metrics and hyperparameters (CSV, TensorBoard, ...). */
export interface Logger {
  /** The experiment name (a folder under `saveDir`). */
  readonly name: string;
  /** The version (`version_N` folder), fixed at construction or picked at first use. */
  readonly version: number | string;
  /** The root folder. */
  readonly saveDir: string;
  /** `saveDir/name/version_N`: where this run's files go (checkpoints default to `logDir/checkpoints`). */
  readonly logDir: string;
  /** Records the run's configuration (the raw config); written as `hparams.yaml` by file loggers. */
  logHyperparams(params: Record<string, unknown>): void | Promise<void>;
  /**
   * Records one row of values at `step` (global step for train rows, the validation batch counter
   * for validation step rows). `metrics` may hold `epoch`.
   */
  logMetrics(metrics: Readonly<Record<string, number>>, step: number): void | Promise<void>;
  /** Writes what is buffered to disk (atomically). Called at epoch ends and at the end. */
  save(): Promise<void>;
  /** The run ended with `status` ("success", "failed", "interrupted"): flush and close. */
  finalize(status: string): Promise<void>;
}
