/**
 * `Tuner`: Lightning's `Tuner(trainer)`, whose `lr_find` and `scale_batch_size` Lighter's tuner
 * stages called.
 *
 * @module
 */
import type { System } from "../system/system.ts";
import { Trainer } from "../trainer/trainer.ts";
import { lrFind, type LrFindOptions, type LrFindResult } from "./lr_find.ts";
import {
  scaleBatchSize,
  type ScaleBatchSizeOptions,
  type ScaleBatchSizeResult,
} from "./scale_batch_size.ts";

/**
 * Tunes a System with a Trainer's settings, as Lightning's `Tuner`: {@link lrFind} and
 * {@link scaleBatchSize} as methods.
 *
 * @example
 * ```ts
 * import { Trainer, tuner } from "lumen";
 * const t = new tuner.Tuner(new Trainer({ logger: false }));
 * console.log(t.trainer.maxEpochs); // 1000
 * ```
 */
export class Tuner {
  /** Checks that `trainer` is a lumen Trainer. */
  constructor(readonly trainer: Trainer) {
    if (!(trainer instanceof Trainer)) {
      throw new TypeError("Tuner needs a lumen Trainer, e.g. new Tuner(new Trainer({...}))");
    }
  }

  /** The learning-rate range test: see {@link lrFind}. */
  lrFind(system: System, options: LrFindOptions = {}): Promise<LrFindResult | null> {
    return lrFind(this.trainer, system, options);
  }

  /** The batch-size finder: see {@link scaleBatchSize}. */
  scaleBatchSize(
    system: System,
    options: ScaleBatchSizeOptions = {},
  ): Promise<ScaleBatchSizeResult | null> {
    return scaleBatchSize(this.trainer, system, options);
  }
}
