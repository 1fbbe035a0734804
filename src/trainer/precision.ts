/**
 * The Trainer's precision plugins (Lightning's `precision=`): `32-true` runs everything in float32;
 * `16-mixed` runs every step under float16 autocast (matrix products and convolutions in half
 * precision, needing the adapter's `shader-f16`), keeps float32 master weights and optimizer
 * state, and scales the loss dynamically with a GradScaler whose overflow checks and skipped
 * steps stay on the device.
 */
import type { Tensor } from "../tensor/tensor.ts";
import { autocast } from "../ops/autocast.ts";
import { getDevice } from "../device/default_device.ts";
import { GradScaler, type GradScalerState } from "../optim/grad_scaler.ts";
import type { Optimizer } from "../optim/optimizer.ts";

/** The precisions lumen trains in. */
export type PrecisionName = "32-true" | "16-mixed";

/** What the loops call around each step. */
export interface PrecisionPlugin {
  /** The precision, as Lightning names it. */
  readonly name: PrecisionName;
  /** Runs a forward step (training, validation, test or predict) in this precision. */
  forward<T>(fn: () => T): T;
  /** `loss.backward()`, on the scaled loss under 16-mixed. */
  backward(loss: Tensor): void;
  /**
   * Steps `optimizer`: under 16-mixed, unscales the gradients, then calls `clip` (which sees
   * true gradients), steps unless a gradient overflowed, and updates the scale.
   */
  optimizerStep(optimizer: Optimizer<{ lr: number }>, clip: () => void): void;
  /** The checkpoint entry (Lightning's `MixedPrecision` key), or null in float32. */
  stateDict(): Promise<GradScalerState | null>;
  /** Restores a checkpoint entry. */
  loadStateDict(state: GradScalerState): void;
}

/**
 * Reads Lightning's precision values: 32, "32", "32-true"; 16, "16", "16-mixed". bfloat16 and
 * the other Lightning precisions are errors that say why.
 */
export function parsePrecision(value: unknown): PrecisionName {
  if (value === 32 || value === "32" || value === "32-true") return "32-true";
  if (value === 16 || value === "16" || value === "16-mixed") return "16-mixed";
  const shown = JSON.stringify(value);
  if (typeof value === "string" && value.startsWith("bf16")) {
    throw new Error(
      `Trainer precision ${shown} needs bfloat16, which WebGPU lacks: WGSL's only half-precision ` +
        "type is f16 (the 'shader-f16' feature). Use precision '16-mixed' (or 32)",
    );
  }
  throw new Error(
    `Trainer precision ${shown} is not available: lumen trains in 32 ('32-true') or ` +
      "'16-mixed' (float16 autocast with float32 master weights and dynamic loss scaling)",
  );
}

/** The plugin for `name`; 16-mixed checks the adapter for shader-f16 here. */
export function createPrecision(name: PrecisionName): PrecisionPlugin {
  return name === "16-mixed" ? new MixedPrecision() : FLOAT32;
}

const FLOAT32: PrecisionPlugin = {
  name: "32-true",
  forward: (fn) => fn(),
  backward: (loss) => loss.backward(),
  optimizerStep(optimizer, clip) {
    clip();
    optimizer.step();
  },
  stateDict: () => Promise.resolve(null),
  loadStateDict() {},
};

class MixedPrecision implements PrecisionPlugin {
  readonly name = "16-mixed";
  readonly #scaler: GradScaler;

  constructor() {
    const info = getDevice().info;
    if (!info.shaderF16) {
      throw new Error(
        `Trainer precision '16-mixed' needs the WebGPU feature 'shader-f16', which the adapter ` +
          `"${info.description}" lacks; use precision 32`,
      );
    }
    this.#scaler = new GradScaler();
  }

  forward<T>(fn: () => T): T {
    return autocast(fn);
  }

  backward(loss: Tensor): void {
    this.#scaler.scale(loss).backward();
  }

  optimizerStep(optimizer: Optimizer<{ lr: number }>, clip: () => void): void {
    this.#scaler.unscale(optimizer);
    clip();
    this.#scaler.step(optimizer);
    this.#scaler.update();
  }

  stateDict(): Promise<GradScalerState> {
    return this.#scaler.stateDict();
  }

  loadStateDict(state: GradScalerState): void {
    this.#scaler.loadStateDict(state);
  }
}
