/**
 * Callbacks: Lightning's hooks (`Callback`), and the checkpointing and early-stopping callbacks
 * that behave as Lightning 2.6's do.
 *
 * @module
 */
export { Callback } from "./callback.ts";
export type { CheckpointState, HookResult } from "./callback.ts";
export { ModelCheckpoint } from "./model_checkpoint.ts";
export type { ModelCheckpointOptions } from "./model_checkpoint.ts";
export { EarlyStopping, EarlyStoppingReason } from "./early_stopping.ts";
export type { EarlyStoppingOptions } from "./early_stopping.ts";
export type { Stage, TrainerView } from "../trainer_view.ts";
