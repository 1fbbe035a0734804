/**
 * Neural-network building blocks with PyTorch's names: modules and `functional`.
 *
 * @module
 */
/** `nn.functional`: the stateless ops behind the layers (`nn.functional.conv2d`, ...). */
export * as functional from "./functional/mod.ts";
/** `nn.init`: parameter initialisation with PyTorch's formulas (`nn.init.kaimingUniform`, ...). */
export * as init from "./init.ts";
// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
export * from "./module.ts";
export * from "./layers/linear.ts";
export * from "./layers/conv.ts";
export * from "./layers/activation.ts";
export * from "./layers/batchnorm.ts";
export * from "./layers/layernorm.ts";
export * from "./layers/flatten.ts";
export * from "./layers/dropout.ts";
export * from "./layers/embedding.ts";
export * from "./layers/pooling.ts";
export * from "./layers/sequential.ts";
export * from "./layers/module_list.ts";
export * from "./layers/loss.ts";
