// Filled in by its area's work; see the issue tracker.
export { linear } from "./linear.ts";
export { conv2d, type Conv2dOptions, type Size2d } from "./conv2d.ts";
export {
  adaptiveAvgPool2d,
  type AdaptiveSize2d,
  avgPool2d,
  type AvgPool2dOptions,
  maxPool2d,
  type MaxPool2dOptions,
  type Pool2dOptions,
} from "./pool.ts";
export {
  type BinaryCrossEntropyOptions,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  type CrossEntropyOptions,
  l1Loss,
  type LossOptions,
  type LossReduction,
  mseLoss,
} from "./loss.ts";
export { batchNorm, type BatchNormOptions, layerNorm } from "./norm.ts";
export { dropout, type DropoutOptions } from "./dropout.ts";
export { embedding, type EmbeddingOptions } from "./embedding.ts";
