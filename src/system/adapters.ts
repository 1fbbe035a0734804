/**
 * Lighter's adapters, which sit between the parts of a step: `BatchAdapter` (batch → input,
 * target, identifier), `CriterionAdapter` and `MetricsAdapter` (which argument of the loss or
 * metric gets what, after transforms) and `LoggingAdapter` (transforms of the step output). A
 * config names them as `lumen.adapters.BatchAdapter` and so on, under
 * `system::adapters::<mode>::{batch,criterion,metrics,logging}`; the modes without one get
 * Lighter's defaults.
 *
 * @example
 * ```ts
 * import { adapters } from "lumen";
 * const batch = new adapters.BatchAdapter({ inputAccessor: "x", targetAccessor: "y" });
 * const [input, target] = batch.call({ x: 2, y: 5 });
 * const criterion = new adapters.CriterionAdapter({ predArgument: 0, targetArgument: 1 });
 * console.log(criterion.call((p: number, t: number) => t - p, input, target, 4)); // 1
 * ```
 *
 * @module
 */
// `export *`: deno doc lists a namespace's members only through it (not named re-exports). These
// files export only public names; helpers stay unexported or live in `_` files.
export * from "./batch_adapter.ts";
export * from "./arguments_adapter.ts";
export * from "./logging_adapter.ts";
export type * from "./transforms.ts";
export type * from "./mode_adapters.ts";
