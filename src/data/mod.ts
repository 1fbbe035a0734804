/**
 * The data layer: datasets are anything with `length` and `getItem(index)` (or an
 * `IterableDataset`), a `DataLoader` batches them (seeded shuffling, Deno Workers, device
 * prefetch), and `transforms` prepare samples on the host or batched on the device.
 *
 * ```yaml
 * dataloaders:
 *   train:
 *     _target_: lumen.data.DataLoader
 *     batch_size: 8
 *     num_workers: 8
 *     shuffle: true
 *     dataset:
 *       _target_: lumen.datasets.FashionMNIST
 *       root: /usr/share/datasets/fashion-mnist
 *       transform: {_target_: lumen.data.transforms.toTensor}
 * ```
 *
 * @module
 */
// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
export * from "./dataset.ts";
export * from "./loader.ts";
export * from "./collate.ts";
export * from "./default_collate.ts";
export * from "./host_array.ts";
export * from "./errors.ts";
export type * from "./worker_spec.ts";
/** `data.transforms`: sample transforms (`Normalize`, `RandomCrop`, ...) and `compose`. */
export * as transforms from "./transforms/mod.ts";
