/**
 * Rebuilding datasets and transforms from their worker specs. Only host-side modules are
 * imported here (no tensors, no device): workers never use the GPU, and nothing they import
 * acquires one (no module under src/ does at import; mod.ts skips its `ready()` in workers).
 *
 * @module
 */
import { isWorkerSpec } from "./_spec_of.ts";
import { Compose } from "./transforms/transform.ts";
import { ToTensor } from "./transforms/to_tensor.ts";
import { Normalize } from "./transforms/normalize.ts";
import { CenterCrop, RandomCrop } from "./transforms/crop.ts";
import { RandomHorizontalFlip } from "./transforms/flip.ts";
import { Resize } from "./transforms/resize.ts";
import { FashionMNIST, MNIST } from "./datasets/mnist.ts";
import { CSVDataset } from "./datasets/csv.ts";
import { ImageFolder } from "./datasets/image_folder.ts";
import { TensorDataset } from "./datasets/tensor_dataset.ts";
import { Subset } from "./datasets/subset.ts";

type Constructor = new (options: never) => unknown;

const REGISTRY: Record<string, Constructor> = {
  Compose,
  ToTensor,
  Normalize,
  CenterCrop,
  RandomCrop,
  RandomHorizontalFlip,
  Resize,
  MNIST,
  FashionMNIST,
  CSVDataset,
  ImageFolder,
  TensorDataset,
  Subset,
};

/** Rebuilds every spec inside `value` (depth first), leaving other data as it is. */
export async function rebuild(value: unknown): Promise<unknown> {
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return await Promise.all(value.map(rebuild));
  if (isWorkerSpec(value)) {
    const options = await rebuild(value.options);
    let Ctor: Constructor | undefined;
    if (value.$kind === "module") {
      const mod = await import(value.module!);
      Ctor = mod[value.export!];
      if (typeof Ctor !== "function") {
        throw new Error(`Worker: ${value.module} has no exported class '${value.export}'`);
      }
    } else {
      Ctor = REGISTRY[value.$kind];
      if (!Ctor) throw new Error(`Worker: no built-in class '${value.$kind}' to rebuild`);
    }
    return new Ctor(options as never);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await rebuild(v);
  return out;
}
