/**
 * Pruning a config for one stage (Lighter's Runner): the dataloaders and metrics of the modes the
 * stage does not run, the optimizer, scheduler and criterion where the stage has no use for them,
 * and the `args` of the other stages are deleted before anything is resolved, so that nothing
 * unused is built.
 *
 * @module
 */

import type { Config } from "../config/config.ts";
import { isDict } from "../config/tree.ts";

/** The stages `run()` executes, the tuning stages `lr_find` and `scale_batch_size` included. */
export type RunStage = "fit" | "validate" | "test" | "predict";

/** The stages `run()` executes, in Lighter's order. */
export const RUN_STAGES: readonly RunStage[] = ["fit", "validate", "test", "predict"];

/** The modes (dataloaders, metrics) each stage keeps. */
export const STAGE_MODES: Readonly<Record<RunStage, readonly string[]>> = {
  fit: ["train", "val"],
  validate: ["val"],
  test: ["test"],
  predict: ["predict"],
};

/** The `system` keys each stage deletes besides the other modes. */
export const STAGE_DROPS: Readonly<Record<RunStage, readonly string[]>> = {
  fit: [],
  validate: ["optimizer", "scheduler"],
  test: ["optimizer", "scheduler", "criterion"],
  predict: ["optimizer", "scheduler", "criterion"],
};

const ALL_MODES = ["train", "val", "test", "predict"];

/**
 * Deletes from `config` what `stage` does not use (Lighter's table): `system::dataloaders::<m>`
 * and `system::metrics::<m>` for every mode `m` the stage does not run; `system::optimizer` and
 * `system::scheduler` for validate, test and predict; `system::criterion` for test and predict;
 * every `args::<s>` but `args::<stage>`. Adapters are kept. Deleting a missing key does nothing.
 * Returns the ids deleted.
 */
export function pruneForStage(config: Config, stage: RunStage): string[] {
  const deleted: string[] = [];
  const del = (id: string): void => {
    if (config.delete(id)) deleted.push(id);
  };
  for (const mode of ALL_MODES) {
    if (STAGE_MODES[stage].includes(mode)) continue;
    del(`system::dataloaders::${mode}`);
    del(`system::metrics::${mode}`);
  }
  for (const key of STAGE_DROPS[stage]) del(`system::${key}`);
  const args = config.get("args");
  if (isDict(args)) {
    for (const key of Object.keys(args)) if (key !== stage) del(`args::${key}`);
  }
  return deleted;
}
