/**
 * Loggers: the `Logger` interface the trainer writes to, and `CSVLogger` (Lightning's
 * metrics.csv and hparams.yaml layout).
 *
 * @module
 */
// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
export type * from "./logger.ts";
export * from "./csv_logger.ts";
