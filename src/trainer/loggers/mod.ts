/**
 * Loggers: the `Logger` interface the trainer writes to, `CSVLogger` (Lightning's
 * metrics.csv and hparams.yaml layout) and `TensorBoardLogger` (TensorBoard event files).
 *
 * @module
 */
// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
export type * from "./logger.ts";
export * from "./csv_logger.ts";
export * from "./tensorboard_logger.ts";
