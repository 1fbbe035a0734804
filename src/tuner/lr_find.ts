/**
 * `lrFind`: Lightning's learning-rate range test (`Tuner.lr_find`). The learning rate grows from
 * `minLr` to `maxLr` over `numTraining` training steps while the loss is recorded; the model and
 * the optimizer are put back as they were; the suggestion is the rate at the steepest descent of
 * the smoothed loss.
 *
 * @module
 */
import type { System } from "../system/system.ts";
import { Trainer } from "../trainer/trainer.ts";
import { writeRunFile } from "./_files.ts";
import { lrPlotSvg } from "./_lr_plot.ts";
import { lrSchedule, LrSweep } from "./_lr_sweep.ts";
import { checkTunerOptions } from "./_options.ts";
import { restoreState, saveState } from "./_state.ts";
import { runSteps } from "./_steps.ts";
import { lrSuggestion } from "./lr_suggestion.ts";

/** Options of {@link lrFind} (Lightning's `Tuner.lr_find` arguments in camelCase). */
export interface LrFindOptions {
  /** The first learning rate (default 1e-8). */
  minLr?: number;
  /** The last learning rate (default 1). */
  maxLr?: number;
  /** Training steps, one learning rate each (default 100). */
  numTraining?: number;
  /** How the rate grows from step to step: `"exponential"` (default) or `"linear"`. */
  mode?: "exponential" | "linear";
  /**
   * Stop when the smoothed loss exceeds this many times the best one (default 4.0; null runs
   * every step).
   */
  earlyStopThreshold?: number | null;
  /**
   * Set every parameter group's learning rate to the suggestion afterwards (default false), so
   * that a fit that follows uses it.
   */
  updateAttr?: boolean;
}

/** What {@link lrFind} found and wrote. */
export interface LrFindResult {
  /** The learning rate of each step taken. */
  lrs: number[];
  /** The smoothed loss of each step (what the suggestion and the files use, as Lightning's). */
  losses: number[];
  /** The loss of each step as read back, before smoothing. */
  rawLosses: number[];
  /** The suggested learning rate, or null when too few finite points were recorded. */
  suggestion: number | null;
  /** The index of the suggested point in `lrs` and `losses`, or null. */
  suggestionIndex: number | null;
  /** Whether the sweep stopped early because the loss diverged. */
  stoppedEarly: boolean;
  /** The CSV written (`lr,loss`, one row per step). */
  csvPath: string;
  /** The SVG plot written. */
  svgPath: string;
}

const DEFAULTS: Required<LrFindOptions> = {
  minLr: 1e-8,
  maxLr: 1,
  numTraining: 100,
  mode: "exponential",
  earlyStopThreshold: 4.0,
  updateAttr: false,
};

/**
 * Runs the learning-rate range test on `system`'s train dataloader with `trainer`'s step settings
 * (gradient accumulation and clipping, `limit_train_batches`), as Lightning's `Tuner.lr_find`:
 *
 * - before each optimizer step `i` of `numTraining`, every parameter group's learning rate is set
 *   to `minLr * (maxLr / minLr) ** (i / (numTraining - 1))` (or the linear rate), epochs
 *   repeating as needed; no validation, loggers, checkpoints or scheduler meanwhile;
 * - each step's loss is read back and smoothed (beta 0.98); the sweep stops early when the
 *   smoothed loss exceeds `earlyStopThreshold` times the best one;
 * - the model's weights and buffers, the optimizer's state and hyperparameters, the scheduler,
 *   the random generator and the dataloaders' epochs are then restored exactly;
 * - the suggestion is {@link lrSuggestion} of the recorded rates and smoothed losses.
 *
 * Writes `lr_find.csv` and `lr_find.svg` to the run folder (the first logger's version folder,
 * else `default_root_dir`) and prints the suggestion. Returns null, as Lightning, under
 * `fast_dev_run`.
 *
 * Lightning's scheduler skips the second rate of its sweep (it computes `(i + 1) / n` from the
 * second step on); here the rates are evenly spaced from `minLr` to `maxLr`.
 *
 * @example
 * ```ts
 * import { data, datasets, nn, optim, System, tensor, Trainer, tuner } from "lumen";
 * const x = tensor(Array.from({ length: 64 }, (_, i) => [i / 64, 1 - i / 64]));
 * const y = tensor(new Int32Array(Array.from({ length: 64 }, (_, i) => i % 2)));
 * const dataset = new datasets.TensorDataset({ tensors: [x, y] });
 * const model = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
 * const system = new System({
 *   model,
 *   criterion: new nn.CrossEntropyLoss(),
 *   optimizer: new optim.SGD({ params: model.parameters(), lr: 0.1 }),
 *   dataloaders: { train: new data.DataLoader({ dataset, batchSize: 8 }) },
 * });
 * const trainer = new Trainer({ logger: false, defaultRootDir: await Deno.makeTempDir() });
 * const found = await tuner.lrFind(trainer, system, { numTraining: 20, earlyStopThreshold: null });
 * console.log(found!.lrs.length, found!.lrs[0], found!.lrs[19]); // 20 1e-8 1
 * console.log(system.optimizer!.paramGroups[0].lr); // 0.1
 * ```
 */
export async function lrFind(
  trainer: Trainer,
  system: System,
  options: LrFindOptions = {},
): Promise<LrFindResult | null> {
  const o = { ...DEFAULTS, ...checkTunerOptions("lr_find", options) } as Required<LrFindOptions>;
  if (!(trainer instanceof Trainer)) {
    throw new TypeError("lr_find needs a lumen Trainer (its step settings and run folder)");
  }
  if (o.minLr >= o.maxLr) {
    throw new RangeError(`lr_find: min_lr (${o.minLr}) must be smaller than max_lr (${o.maxLr})`);
  }
  if (trainer.fastDevRun > 0) {
    console.warn("Skipping learning rate finder since `fast_dev_run` is enabled.");
    return null;
  }
  const { optimizer } = system.configureOptimizers();
  if (!system.dataloaders.train) {
    throw new Error(
      "lr_find needs a train dataloader: set system::dataloaders::train in the config",
    );
  }
  const schedule = lrSchedule(o.mode, o.minLr, o.maxLr, o.numTraining);
  const saved = await saveState(system);
  let sweep: LrSweep | undefined;
  try {
    await runSteps(trainer, system, {
      steps: o.numTraining,
      callbacks: (stop) => [sweep = new LrSweep(schedule, o.earlyStopThreshold, stop)],
    });
  } finally {
    restoreState(system, saved);
  }
  const { lrs, losses, rawLosses, stoppedEarly } = sweep!;
  if (stoppedEarly) {
    console.log(`LR finder stopped early after ${lrs.length} steps due to diverging loss.`);
  }
  const found = lrSuggestion(lrs, losses);
  if (!found) {
    console.error(
      "Failed to compute suggestion for learning rate because there are not enough points. " +
        "Increase the loop iteration limits or the size of your dataset/dataloader.",
    );
  }
  if (o.updateAttr && found) {
    for (const group of optimizer.paramGroups) group.lr = found.lr;
    console.log(`Learning rate set to ${found.lr}`);
  }
  const csv = ["lr,loss", ...lrs.map((lr, i) => `${lr},${losses[i]}`)].join("\n") + "\n";
  const csvPath = await writeRunFile(trainer, "lr_find.csv", csv);
  const svg = lrPlotSvg(lrs, losses, o.mode === "exponential", found?.index ?? null);
  const svgPath = await writeRunFile(trainer, "lr_find.svg", svg);
  console.log(
    found
      ? `lr_find: suggested learning rate ${found.lr} (step ${found.index + 1} of ${lrs.length})`
      : `lr_find: no suggestion (${lrs.length} steps recorded)`,
  );
  console.log(`lr_find: wrote ${csvPath} and ${svgPath}`);
  return {
    lrs,
    losses,
    rawLosses,
    suggestion: found?.lr ?? null,
    suggestionIndex: found?.index ?? null,
    stoppedEarly,
    csvPath,
    svgPath,
  };
}
