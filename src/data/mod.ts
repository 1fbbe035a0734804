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
export { type Dataset, IterableDataset } from "./dataset.ts";
export { DataLoader, type DataLoaderOptions } from "./loader.ts";
export { collateHost, type PendingStack } from "./collate.ts";
export { defaultCollate } from "./upload.ts";
export { type HostArray, hostArray, type HostData, isHostArray } from "./host_array.ts";
export { type DataErrorOptions, DataFormatError } from "./errors.ts";
export type { WorkerRebuildable, WorkerSpec } from "./worker_spec.ts";
export * as transforms from "./transforms/mod.ts";
