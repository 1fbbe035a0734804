/** The option names of the losses, checked by the functions in loss.ts and the loss layers. */
import type { BinaryCrossEntropyOptions, CrossEntropyOptions, LossOptions } from "./loss.ts";

/** Every option name of `LossOptions` (add a name here when adding an option to it). */
export const LOSS_OPTIONS = ["reduction"] as const satisfies readonly (keyof LossOptions)[];

/** Every option name of `CrossEntropyOptions` (add a name here when adding an option to it). */
export const CROSS_ENTROPY_OPTIONS = [
  "labelSmoothing",
  "reduction",
  "ignoreIndex",
  "weight",
] as const satisfies readonly (keyof CrossEntropyOptions)[];

/** Every option name of `BinaryCrossEntropyOptions` (add a name here when adding one to it). */
export const BINARY_CROSS_ENTROPY_OPTIONS = [
  "reduction",
  "posWeight",
  "weight",
] as const satisfies readonly (keyof BinaryCrossEntropyOptions)[];
