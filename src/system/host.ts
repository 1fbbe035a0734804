/**
 * What a `System` sees of whoever runs it (the Trainer): the mode, the progress counters and a
 * `log` that keeps values on the device. The system layer never imports the trainer; the trainer
 * implements this interface and attaches itself with `system.attach(host)`.
 *
 * @module
 */
import type { Tensor } from "../tensor/tensor.ts";
import type { Metric } from "../metrics/metric.ts";

/** The four modes of a step: which dataloader, metrics and adapters it uses. */
export type Mode = "train" | "val" | "test" | "predict";

/** The modes in Lighter's order. */
export const MODES: readonly Mode[] = ["train", "val", "test", "predict"];

/** How one logged value is aggregated (Lightning's `self.log` flags). */
export interface LogOptions {
  /** Log this step's value (at most every `log_every_n_steps`). */
  onStep: boolean;
  /** Accumulate into the epoch value: the batch-size-weighted mean for a tensor, `compute()` for a Metric. */
  onEpoch: boolean;
  /** Samples in the batch, the weight of this value in the epoch mean. */
  batchSize: number;
}

/** The runner of a System: the Trainer implements this. */
export interface SystemHost {
  /** The mode of the loop that is running now (`val` during the sanity check); null outside loops. */
  readonly mode: Mode | null;
  /** The epoch being run, from 0. */
  readonly currentEpoch: number;
  /** Optimizer steps taken so far (Lightning's `global_step`). */
  readonly globalStep: number;
  /** False when logging is off (no logger, or `fast_dev_run`): the System skips `log` calls. */
  readonly loggingEnabled: boolean;
  /**
   * Records a value under `name` without reading it back: a device tensor (a 0-d or 1-element
   * loss/metric value), a host number (a learning rate), or a Metric whose `compute()` is the epoch
   * value.
   */
  log(name: string, value: Tensor | number | Metric, options: LogOptions): void;
}
