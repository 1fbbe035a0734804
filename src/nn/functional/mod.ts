/**
 * Stateless neural-network ops with PyTorch's `torch.nn.functional` names: `linear`, `conv2d`,
 * pooling, losses, normalisation, `dropout` and `embedding`.
 *
 * @module
 */
// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
export * from "./linear.ts";
// Before conv2d.ts, which re-exports `Size2d` by name (deno doc keeps the first module's).
export type * from "./size2d.ts";
export * from "./conv2d.ts";
export * from "./pool.ts";
export * from "./loss.ts";
export * from "./norm.ts";
export * from "./dropout.ts";
export * from "./embedding.ts";
