/**
 * The tuner: Lightning's learning-rate finder (`lrFind`) and batch-size finder
 * (`scaleBatchSize`), which run a few training steps and put the model and the optimizer back;
 * the runner's `lr_find` and `scale_batch_size` stages call them.
 *
 * @module
 */
// `export *`: deno doc lists a namespace's members only through it. These files export only
// public names; helpers live in `_` files.
export * from "./lr_find.ts";
export * from "./lr_suggestion.ts";
export * from "./scale_batch_size.ts";
export * from "./tuner.ts";
