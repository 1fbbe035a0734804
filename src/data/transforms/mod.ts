/**
 * Sample transforms, composable and buildable from YAML. Each is a class taking one options
 * object (`new Normalize({mean, std})`) with an `apply(x)` method; the lower-case functions
 * (`normalize({mean, std})`) build the same objects, for configs that read better that way:
 *
 * ```yaml
 * transform:
 *   _target_: lumen.data.transforms.compose
 *   transforms:
 *     - _target_: lumen.data.transforms.toTensor
 *     - {_target_: lumen.data.transforms.normalize, mean: [0.286], std: [0.353]}
 * ```
 *
 * Random transforms draw from the seeded stream of the sample being made, so results do not
 * depend on workers. The same objects can run batched on the GPU: pass them as the loader's
 * `batchTransform` (everything but `Resize`).
 *
 * @module
 */
import { Compose, type ComposeOptions } from "./transform.ts";
import { ToTensor, type ToTensorOptions } from "./to_tensor.ts";
import { Normalize, type NormalizeOptions } from "./normalize.ts";
import { CenterCrop, type CenterCropOptions, RandomCrop, type RandomCropOptions } from "./crop.ts";
import { RandomHorizontalFlip, type RandomHorizontalFlipOptions } from "./flip.ts";
import { Resize, type ResizeOptions } from "./resize.ts";

// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
export * from "./transform.ts";
export * from "./to_tensor.ts";
export * from "./normalize.ts";
export * from "./crop.ts";
export * from "./flip.ts";
export * from "./resize.ts";

/**
 * `new Compose(options)`.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const t = data.transforms.compose({ transforms: [data.transforms.toTensor()] });
 * console.log(t.transforms.length); // 1
 * ```
 */
export function compose(options: ComposeOptions): Compose {
  return new Compose(options);
}

/**
 * `new ToTensor()`.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * console.log(data.transforms.toTensor() instanceof data.transforms.ToTensor); // true
 * ```
 */
export function toTensor(options: ToTensorOptions = {}): ToTensor {
  return new ToTensor(options);
}

/**
 * `new Normalize(options)`.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * console.log(data.transforms.normalize({ mean: 0.5, std: 0.5 }).mean); // [0.5]
 * ```
 */
export function normalize(options: NormalizeOptions): Normalize {
  return new Normalize(options);
}

/**
 * `new RandomCrop(options)`.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * console.log(data.transforms.randomCrop({ size: 32, padding: 4 }).size); // [32, 32]
 * ```
 */
export function randomCrop(options: RandomCropOptions): RandomCrop {
  return new RandomCrop(options);
}

/**
 * `new RandomHorizontalFlip(options)`.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * console.log(data.transforms.randomHorizontalFlip().p); // 0.5
 * ```
 */
export function randomHorizontalFlip(
  options: RandomHorizontalFlipOptions = {},
): RandomHorizontalFlip {
  return new RandomHorizontalFlip(options);
}

/**
 * `new Resize(options)`.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * console.log(data.transforms.resize({ size: 32 }).size); // 32
 * ```
 */
export function resize(options: ResizeOptions): Resize {
  return new Resize(options);
}

/**
 * `new CenterCrop(options)`.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * console.log(data.transforms.centerCrop({ size: [2, 3] }).size); // [2, 3]
 * ```
 */
export function centerCrop(options: CenterCropOptions): CenterCrop {
  return new CenterCrop(options);
}
