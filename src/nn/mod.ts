/**
 * Neural-network building blocks with PyTorch's names: modules and `functional`.
 *
 * @module
 */
export * as functional from "./functional/mod.ts";
