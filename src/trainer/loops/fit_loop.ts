/**
 * The fit loop: the sanity check, then epochs of training batches with validation where
 * `val_check_interval` and `check_val_every_n_epoch` put it, until max_epochs, max_steps or a
 * callback stops it. One training step is recorded synchronously (forward, backward, clip,
 * optimizer) and never waits for the GPU; logged values are read back in the background.
 *
 * @module
 */
import { noGrad } from "../../autograd/grad_mode.ts";
import type { Optimizer } from "../../optim/optimizer.ts";
import { ReduceLROnPlateau } from "../../optim/reduce_lr_on_plateau.ts";
import type { StepOutput, System } from "../../system/system.ts";
import type { Tensor } from "../../tensor/tensor.ts";
import { keep, tidy } from "../../tensor/tidy.ts";
import { limitBatches, type TrainerSettings } from "../options.ts";
import type { LoopHost } from "../trainer.ts";
import { disposeTensors, limitedBatches, loaderLength, yieldToEventLoop } from "./batches.ts";
import { evaluationBatches, runEvaluation } from "./evaluation_loop.ts";
import { profiledBatches } from "../profiler.ts";

/** The monitored key of a ReduceLROnPlateau scheduler (Lighter's validation loss). */
export const PLATEAU_MONITOR = "val/loss/epoch";

/** Scales gradients so their total 2-norm is at most `maxNorm` (torch's clip_grad_norm_). */
function clipGradNorm(params: Tensor[], maxNorm: number): void {
  const grads = params.filter((p) => p.grad);
  if (grads.length === 0) return;
  noGrad(() =>
    tidy(() => {
      let total: Tensor | null = null;
      for (const p of grads) {
        const sq = p.grad!.mul(p.grad!).sum();
        total = total ? total.add(sq) : sq;
      }
      const coef = total!.sqrt().add(1e-6).pow(-1).mul(maxNorm).clamp(0, 1);
      for (const p of grads) {
        const old = p.grad!;
        p.grad = keep(old.mul(coef));
        old.dispose();
      }
    })
  );
}

/** Clamps every gradient element to [-value, value]. */
function clipGradValue(params: Tensor[], value: number): void {
  noGrad(() => {
    for (const p of params) {
      if (!p.grad) continue;
      const old = p.grad;
      p.grad = keep(old.clamp(-value, value));
      old.dispose();
    }
  });
}

function allParams(optimizer: Optimizer<{ lr: number }>): Tensor[] {
  return optimizer.paramGroups.flatMap((g) => g.params);
}

/** Whether validation runs after training batch `i` of `epoch`. */
function isValCheck(settings: TrainerSettings, epoch: number, i: number, nTrain: number): boolean {
  if ((epoch + 1) % settings.checkValEveryNEpoch !== 0) return false;
  const v = settings.valCheckInterval;
  const every = Number.isInteger(v) && v !== 1 ? v : Math.max(1, Math.floor(nTrain * v));
  if (!Number.isFinite(nTrain)) return Number.isInteger(v) && v !== 1 && (i + 1) % every === 0;
  return (i + 1) % every === 0 || (v === 1 && i + 1 === nTrain);
}

/**
 * One training batch, recorded synchronously: step, backward, and at an accumulation boundary
 * clipping and the optimizer step. Hooks inside the step are called in order; promises they
 * return are awaited after the step.
 */
function trainStep(
  host: LoopHost,
  optimizer: Optimizer<{ lr: number }>,
  batch: unknown,
  i: number,
  boundary: boolean,
  pending: unknown[],
): StepOutput {
  const { trainer, system, settings, profiler } = host;
  return tidy(() => {
    let mark = profiler.start();
    const output = host.precision.forward(() => system.step(batch, i));
    if (profiler.enabled) profiler.stop(`[System]${system.constructor.name}.training_step`, mark);
    if (!output.loss) {
      throw new Error("The training step produced no loss: set system::criterion in the config");
    }
    const total = system.lossTotal(output.loss);
    const scaled = settings.accumulateGradBatches > 1
      ? total.div(settings.accumulateGradBatches)
      : total;
    pending.push(trainer.hookNow("onBeforeBackward", scaled));
    mark = profiler.start();
    host.precision.backward(scaled);
    profiler.stop("[Strategy]SingleDeviceStrategy.backward", mark);
    pending.push(trainer.hookNow("onAfterBackward"));
    if (boundary) {
      // Clipping runs inside the precision's step: after unscaling, under 16-mixed.
      const clip = () => {
        if (settings.gradientClipVal !== null && settings.gradientClipVal > 0) {
          if (settings.gradientClipAlgorithm === "norm") {
            clipGradNorm(allParams(optimizer), settings.gradientClipVal);
          } else clipGradValue(allParams(optimizer), settings.gradientClipVal);
        }
      };
      pending.push(trainer.hookNow("onBeforeOptimizerStep", optimizer));
      mark = profiler.start();
      host.precision.optimizerStep(optimizer, clip);
      optimizer.zeroGrad();
      profiler.stop("optimizer_step", mark);
    }
    return output;
  });
}

function stepScheduler(
  system: System,
  epochEnd: "before-val" | "after-val",
  values: Record<string, number>,
): void {
  const scheduler = system.scheduler;
  if (!scheduler) return;
  const plateau = scheduler instanceof ReduceLROnPlateau;
  if (epochEnd === "before-val" && !plateau) scheduler.step();
  if (epochEnd === "after-val" && plateau) {
    const value = values[PLATEAU_MONITOR];
    if (value === undefined) {
      throw new Error(
        `ReduceLROnPlateau conditioned on metric ${PLATEAU_MONITOR} which is not available; ` +
          `available: ${
            Object.keys(values).join(", ") || "none"
          }. It needs a val dataloader and a criterion`,
      );
    }
    scheduler.step(value);
  }
}

/** Runs `fit`: restores `ckptPath` when given, then trains. */
export async function runFit(host: LoopHost, ckptPath: string | null): Promise<void> {
  const { trainer, system, settings, profiler } = host;
  const train = system.dataloaders.train;
  if (!train) {
    throw new Error(
      "The fit stage needs a train dataloader: set system::dataloaders::train in the config",
    );
  }
  const { optimizer } = system.configureOptimizers();
  if (ckptPath) await trainer.restoreFit(system, ckptPath);
  const nTrain = limitBatches(settings.limits.train, await loaderLength(train));
  trainer.numTrainingBatches = nTrain;
  const nVal = await evaluationBatches(host, "val");
  trainer.numValBatches = nVal;
  await trainer.hook("onFitStart");

  if (nVal > 0 && settings.numSanityValSteps !== 0) {
    const n = settings.numSanityValSteps === -1 ? nVal : Math.min(settings.numSanityValSteps, nVal);
    await trainer.hook("onSanityCheckStart");
    await runEvaluation(host, "val", { inFit: true, sanity: true, maxBatches: n });
    host.setMode(null);
    await trainer.hook("onSanityCheckEnd");
  }

  system.model.train();
  await trainer.hook("onTrainStart");
  const progress = trainer.progress;
  let start = progress.batchesDone;
  if (progress.epochDone) {
    progress.epoch++;
    start = 0;
  }
  const stepsDone = () => settings.maxSteps !== -1 && progress.globalStep >= settings.maxSteps;
  while (!(settings.maxEpochs !== -1 && progress.epoch >= settings.maxEpochs) && !stepsDone()) {
    const epochMark = profiler.start();
    const epoch = progress.epoch;
    progress.batchesDone = start;
    progress.epochDone = false;
    const results = host.newResults();
    host.useResults(results);
    host.setMode("train");
    await trainer.hook("onTrainEpochStart");
    train.setEpoch(epoch);
    let valValues: Record<string, number> = {};
    const batches = limitedBatches(train, nTrain, start);
    const next = "[_TrainingEpochLoop].train_dataloader_next";
    for await (const [i, batch] of profiledBatches(profiler, next, batches)) {
      await trainer.hook("onTrainBatchStart", batch, i);
      const last = i + 1 === nTrain;
      const boundary = (i + 1) % settings.accumulateGradBatches === 0 || last;
      const pending: unknown[] = [];
      const batchMark = profiler.start();
      const output = trainStep(host, optimizer, batch, i, boundary, pending);
      await Promise.all(pending);
      profiler.stop("run_training_batch", batchMark);
      progress.batchesDone = i + 1;
      if (boundary) {
        progress.globalStep++;
        const logRow = progress.globalStep % settings.logEveryNSteps === 0;
        results.endStep(logRow ? { step: progress.globalStep - 1, epoch } : undefined);
        if (logRow) {
          void results.flush();
          await yieldToEventLoop();
        }
      } else results.endStep();
      if (last || stepsDone()) {
        progress.epochDone = last;
        if (last) stepScheduler(system, "before-val", {});
      }
      await trainer.hook("onTrainBatchEnd", output, batch, i);
      disposeTensors([output.pred, output.loss, output.metrics, output.input, output.target]);
      disposeTensors(batch);
      if (nVal > 0 && isValCheck(settings, epoch, i, nTrain)) {
        valValues = await runEvaluation(host, "val", { inFit: true });
        host.useResults(results);
        host.setMode("train");
      }
      if (stepsDone()) break;
    }
    if (progress.epochDone) {
      stepScheduler(system, "after-val", { ...trainer.callbackMetrics, ...valValues });
    }
    const readMark = profiler.start();
    await results.epochEnd({ step: Math.max(progress.globalStep - 1, 0), epoch });
    profiler.stop("train_epoch_end_readback_wait", readMark);
    await trainer.hook("onTrainEpochEnd");
    for (const l of trainer.loggers) await l.save();
    profiler.stop("run_training_epoch", epochMark);
    start = 0;
    if (trainer.shouldStop || stepsDone() || !progress.epochDone) break;
    // The next epoch, not started: a checkpoint saved after the fit resumes at its first batch.
    progress.epoch++;
    progress.batchesDone = 0;
    progress.epochDone = false;
  }
  host.setMode(null);
  await trainer.hook("onTrainEnd");
  await trainer.hook("onFitEnd");
}
