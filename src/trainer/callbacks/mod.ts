/**
 * Callbacks: Lightning's hooks (`Callback`), the checkpointing, early-stopping and
 * learning-rate-monitor callbacks that behave as Lightning 2.6's do, and Lighter's `Freezer`.
 *
 * @module
 */
// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
export * from "./callback.ts";
export * from "./model_checkpoint.ts";
export * from "./early_stopping.ts";
export * from "./freezer.ts";
export * from "./lr_monitor.ts";
export * from "./writers/base_writer.ts";
export * from "./writers/file_writer.ts";
export * from "./writers/table_writer.ts";
export type * from "../trainer_view.ts";
