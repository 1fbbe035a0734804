/**
 * The predict loop: every batch in evaluation mode without gradients; the step outputs go to the
 * callbacks (writers) and, when asked, back to the caller.
 *
 * @module
 */
import { noGrad } from "../../autograd/grad_mode.ts";
import { tidy } from "../../tensor/tidy.ts";
import type { StepOutput } from "../../system/system.ts";
import { limitBatches } from "../options.ts";
import type { LoopHost } from "../trainer.ts";
import { disposeTensors, limitedBatches, loaderLength } from "./batches.ts";
import { profiledBatches } from "../profiler.ts";

/**
 * Runs the predict dataloader; returns the step outputs when `keep`, collected in `outputs` (which
 * a callback may empty through `trainer.clearPredictions()`).
 */
export async function runPredict(
  host: LoopHost,
  keep: boolean,
  outputs: StepOutput[] = [],
): Promise<StepOutput[] | undefined> {
  const { trainer, system, profiler } = host;
  const loader = system.dataloaders.predict;
  if (!loader) {
    throw new Error(
      "The predict stage needs a predict dataloader: set system::dataloaders::predict in the config",
    );
  }
  const n = limitBatches(host.settings.limits.predict, await loaderLength(loader));
  host.useResults(host.newResults());
  host.setMode("predict");
  system.model.eval();
  await trainer.hook("onPredictStart");
  await trainer.hook("onPredictEpochStart");
  const loopMark = profiler.start();
  const batches = limitedBatches(loader, n);
  for await (
    const [i, batch] of profiledBatches(profiler, "[_PredictionLoop].predict_next", batches)
  ) {
    await trainer.hook("onPredictBatchStart", batch, i);
    const stepMark = profiler.start();
    const output = noGrad(() => tidy(() => host.precision.forward(() => system.step(batch, i))));
    if (profiler.enabled) {
      profiler.stop(`[System]${system.constructor.name}.predict_step`, stepMark);
    }
    // Kept before the hook, as Lightning does, so that clearPredictions() in it drops it too.
    if (keep) outputs.push(output);
    await trainer.hook("onPredictBatchEnd", output, batch, i);
    if (!keep || outputs[outputs.length - 1] !== output) {
      disposeTensors([output.pred, output.input, output.target]);
      disposeTensors(batch);
    }
  }
  await trainer.hook("onPredictEpochEnd");
  await trainer.hook("onPredictEnd");
  profiler.stop("run_predict_loop", loopMark);
  return keep ? outputs : undefined;
}
