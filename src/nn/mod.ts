/**
 * Neural-network building blocks with PyTorch's names: modules and `functional`.
 *
 * @module
 */
export * as functional from "./functional/mod.ts";
export * as init from "./init.ts";
export {
  type AnyModule,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  Module,
} from "./module.ts";
export { Linear, type LinearOptions } from "./layers/linear.ts";
export { Conv2d, type Conv2dLayerOptions } from "./layers/conv.ts";
export { GELU, ReLU, Sigmoid, Tanh } from "./layers/activation.ts";
export { BatchNorm1d, BatchNorm2d, type BatchNormLayerOptions } from "./layers/batchnorm.ts";
export { LayerNorm, type LayerNormOptions } from "./layers/layernorm.ts";
export { Flatten, type FlattenOptions } from "./layers/flatten.ts";
export { Dropout, type DropoutLayerOptions } from "./layers/dropout.ts";
export { Embedding, type EmbeddingLayerOptions } from "./layers/embedding.ts";
export {
  AdaptiveAvgPool2d,
  type AdaptiveAvgPool2dOptions,
  AvgPool2d,
  MaxPool2d,
} from "./layers/pooling.ts";
export { Sequential, type SequentialOptions, type TensorModule } from "./layers/sequential.ts";
export { ModuleList, type ModuleListOptions } from "./layers/module_list.ts";
export { BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss } from "./layers/loss.ts";
