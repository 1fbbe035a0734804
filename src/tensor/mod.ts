/**
 * Tensors on the device: creation, ops with PyTorch names, and memory scopes.
 *
 * @module
 */
export { type DType, type Operand, Tensor, type TensorData } from "./tensor.ts";
export {
  arange,
  type CreationOptions,
  full,
  type NestedArray,
  ones,
  rand,
  randn,
  tensor,
  type TensorOptions,
  zeros,
} from "./creation.ts";
export { manualSeed } from "./random_state.ts";
export { keep, tidy } from "./tidy.ts";
