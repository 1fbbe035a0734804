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
export { FashionMNIST, MNIST, type MnistArrays, type MnistOptions } from "./mnist.ts";
export { CSVDataset, type CSVDatasetOptions } from "./csv.ts";
export { ImageFolder, type ImageFolderOptions } from "./image_folder.ts";
export type { ImageMode } from "./image_decode.ts";
export { TensorDataset, type TensorDatasetOptions } from "./tensor_dataset.ts";
export {
  KFold,
  type KFoldOptions,
  randomSplit,
  type RandomSplitOptions,
  Subset,
  type SubsetOptions,
} from "./subset.ts";
