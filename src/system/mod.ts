/**
 * The system layer: `System` (Lighter's one step for every mode), the adapters, and the
 * `SystemHost` interface through which the Trainer drives a System.
 *
 * @module
 */
export {
  type LossValue,
  type MetricMode,
  type StepOutput,
  System,
  type SystemOptions,
} from "./system.ts";
export type { ModeAdapters, ModeAdaptersOption } from "./mode_adapters.ts";
export { type LogOptions, type Mode, MODES, type SystemHost } from "./host.ts";
export * as adapters from "./adapters.ts";
