/**
 * The evaluation loop (validation and test): every batch in evaluation mode without gradients,
 * each step's values a logged row (read back in groups of `log_every_n_steps`), then one read of
 * the epoch values, which the callbacks see in `callbackMetrics`.
 *
 * @module
 */
import { noGrad } from "../../autograd/grad_mode.ts";
import { tidy } from "../../tensor/tidy.ts";
import { limitBatches } from "../options.ts";
import type { LoopHost } from "../trainer.ts";
import { disposeTensors, limitedBatches, loaderLength, yieldToEventLoop } from "./batches.ts";
import { profiledBatches } from "../profiler.ts";

/** Options of one evaluation run. */
export interface EvaluationOptions {
  /** Inside a fit (validation rows count on across runs; the model goes back to training mode). */
  inFit: boolean;
  /** The sanity check: nothing is logged and the metrics are reset afterwards. */
  sanity?: boolean;
  /** Batches to run instead of the limit (the sanity check's count). */
  maxBatches?: number;
}

/** Batches an evaluation of `mode` runs under the trainer's limit. */
export async function evaluationBatches(host: LoopHost, mode: "val" | "test"): Promise<number> {
  const loader = host.system.dataloaders[mode];
  if (!loader) return 0;
  return limitBatches(host.settings.limits[mode], await loaderLength(loader));
}

/** Runs one validation or test epoch; returns its epoch values (empty in the sanity check). */
export async function runEvaluation(
  host: LoopHost,
  mode: "val" | "test",
  options: EvaluationOptions,
): Promise<Record<string, number>> {
  const { trainer, system, profiler } = host;
  const loader = system.dataloaders[mode];
  if (!loader) {
    if (options.inFit) return {};
    const stage = mode === "val" ? "validate" : "test";
    throw new Error(
      `The ${stage} stage needs a ${mode} dataloader: set system::dataloaders::${mode} in the config`,
    );
  }
  const loopMark = profiler.start();
  const n = options.maxBatches ?? (await evaluationBatches(host, mode));
  const sanity = options.sanity ?? false;
  const prefix = mode === "val" ? "onValidation" : "onTest";
  const results = host.newResults();
  host.useResults(results);
  host.setMode(mode, sanity);
  const wasTraining = system.model.training;
  system.model.eval();
  let counter = 0;
  try {
    await trainer.hook(`${prefix}Start` as "onValidationStart");
    await trainer.hook(`${prefix}EpochStart` as "onValidationEpochStart");
    const batches = limitedBatches(loader, n);
    for await (
      const [i, batch] of profiledBatches(profiler, `[_EvaluationLoop].${mode}_next`, batches)
    ) {
      await trainer.hook(`${prefix}BatchStart` as "onValidationBatchStart", batch, i);
      const stepMark = profiler.start();
      const output = noGrad(() => tidy(() => host.precision.forward(() => system.step(batch, i))));
      if (profiler.enabled) {
        const step = mode === "val" ? "validation_step" : "test_step";
        profiler.stop(`[System]${system.constructor.name}.${step}`, stepMark);
      }
      if (sanity) results.endStep();
      else {
        const step = options.inFit && mode === "val" ? trainer.progress.valBatches++ : counter++;
        results.endStep({ step });
        if (results.pendingRows >= host.settings.logEveryNSteps) {
          void results.flush();
          await yieldToEventLoop();
        }
      }
      await trainer.hook(`${prefix}BatchEnd` as "onValidationBatchEnd", output, batch, i);
      disposeTensors([output.pred, output.loss, output.metrics, output.input, output.target]);
      disposeTensors(batch);
    }
    if (sanity) {
      results.discard();
    } else {
      const step = options.inFit ? trainer.globalStep - 1 : trainer.globalStep;
      const readMark = profiler.start();
      await results.epochEnd({ step: Math.max(step, 0), epoch: trainer.currentEpoch });
      profiler.stop(`${mode}_epoch_end_readback_wait`, readMark);
    }
    await trainer.hook(`${prefix}EpochEnd` as "onValidationEpochEnd");
    for (const l of trainer.loggers) if (!sanity) await l.save();
    await trainer.hook(`${prefix}End` as "onValidationEnd");
  } finally {
    if (wasTraining) system.model.train();
  }
  profiler.stop(sanity ? "run_sanity_check" : `run_${mode}_loop`, loopMark);
  const values: Record<string, number> = {};
  if (!sanity) {
    for (const [k, v] of Object.entries(trainer.callbackMetrics)) {
      if (k.startsWith(`${mode}/`) && k.endsWith("/epoch")) values[k] = v;
    }
  }
  return values;
}
