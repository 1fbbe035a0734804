/**
 * The runner: `run(stage, config, overrides)` (Lighter's Runner) and `seedEverything`.
 *
 * @module
 */

export { loadPruned, run, type RunOptions, runStage, type StageRun } from "./run.ts";
export { seedEverything } from "./seed.ts";
export { RUN_STAGES, type RunStage, STAGE_DROPS, STAGE_MODES } from "./prune.ts";
export { settleExpressions } from "./settle.ts";
export { formatMetricsTable } from "../trainer/results_table.ts";
