/**
 * The trainer: `Trainer` runs a System's stages with Lightning's options, hooks, logs and
 * checkpoints.
 *
 * @module
 */
export {
  type EvaluateOptions,
  type FitOptions,
  type LoopProgress,
  type PredictOptions,
  Trainer,
  type TrainerOptions,
} from "./trainer.ts";
export type { Stage, TrainerView } from "./trainer_view.ts";
export type { Strategy } from "./strategy.ts";
