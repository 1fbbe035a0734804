/**
 * The transform protocol and composition. A transform is an object with `apply(x)`; classes take
 * one options object (so YAML can build them) and describe themselves for workers.
 *
 * @module
 */
import type { WorkerSpec } from "../worker_spec.ts";
import { specOf } from "../_spec_of.ts";
import { checkOptions } from "../../util/options.ts";
import { applyTransform } from "./_apply.ts";

/** A sample transform: host value in, host value out. Random ones draw from `sampleRandom()`. */
export interface Transform {
  /** Transforms one sample's value. */
  apply(x: unknown): unknown;
}

/** A transform object, or a plain function (main thread only: functions cannot reach workers). */
export type TransformLike = Transform | ((x: unknown) => unknown);

/** Options of `Compose`. */
export interface ComposeOptions {
  /** Transforms applied in order. */
  transforms: TransformLike[];
}

/** Every option name of `ComposeOptions` (add a name here when adding an option above). */
const COMPOSE_OPTIONS = ["transforms"] as const satisfies readonly (keyof ComposeOptions)[];

/**
 * Applies transforms in order (as torchvision's `Compose`).
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const { Compose, ToTensor, Normalize } = data.transforms;
 * const t = new Compose({ transforms: [new ToTensor(), new Normalize({ mean: [0.5], std: [0.5] })] });
 * const x = t.apply(data.hostArray(new Uint8Array([0, 255]), [1, 2, 1])) as data.HostArray;
 * console.log(x.shape, x.data); // [1, 1, 2] Float32Array(2) [-1, 1]
 * ```
 */
export class Compose implements Transform {
  /** The transforms, in order. */
  readonly transforms: readonly TransformLike[];

  /** Composes `options.transforms`. */
  constructor(options: ComposeOptions) {
    checkOptions("Compose", options, COMPOSE_OPTIONS);
    if (!options || !Array.isArray(options.transforms)) {
      throw new Error("Compose needs {transforms: [...]}, an array of transforms");
    }
    options.transforms.forEach((t, i) => {
      if (typeof t !== "function" && typeof (t as Transform)?.apply !== "function") {
        throw new Error(`Compose: transforms[${i}] is not a transform (an object with apply(x))`);
      }
    });
    this.transforms = [...options.transforms];
  }

  /** Applies each transform in turn. */
  apply(x: unknown): unknown {
    for (const t of this.transforms) x = applyTransform(t, x);
    return x;
  }

  /** Rebuild description for workers. */
  workerSpec(): WorkerSpec {
    return {
      $kind: "Compose",
      options: { transforms: specOf(this.transforms, "Compose.transforms") as unknown[] },
    };
  }
}
