/**
 * Datasets: MNIST and Fashion-MNIST from IDX files, CSV files, image folders, tensors, and views
 * for splitting (`Subset`, `randomSplit`, `KFold`). Each class takes one options object, so a
 * config builds it:
 *
 * ```yaml
 * dataset:
 *   _target_: lumen.datasets.KFold
 *   k: 5
 *   fold: 3
 *   dataset: {_target_: lumen.datasets.FashionMNIST, root: /usr/share/datasets/fashion-mnist}
 * ```
 *
 * @module
 */
// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
export * from "./mnist.ts";
export * from "./csv.ts";
export * from "./image_folder.ts";
export type * from "./image_mode.ts";
export * from "./tensor_dataset.ts";
export * from "./subset.ts";
