/** `RandomHorizontalFlip`. */
import type { HostArray } from "../host_array.ts";
import { sampleRandom } from "../random.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import { imageLayout, window } from "./image.ts";
import type { Transform } from "./transform.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `RandomHorizontalFlip`. */
export interface RandomHorizontalFlipOptions {
  /** Probability of flipping (0.5 by default). */
  p?: number;
}

/** Every option name of `RandomHorizontalFlipOptions` (add a name here when adding one above). */
const RANDOM_HORIZONTAL_FLIP_OPTIONS = [
  "p",
] as const satisfies readonly (keyof RandomHorizontalFlipOptions)[];

/**
 * Mirrors the image left-right with probability `p`, drawn from the sample's seeded stream.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const flip = new data.transforms.RandomHorizontalFlip({ p: 1 });
 * console.log((flip.apply(data.hostArray(new Float32Array([1, 2, 3]), [1, 1, 3])) as data.HostArray).data);
 * // Float32Array(3) [3, 2, 1]
 * ```
 */
export class RandomHorizontalFlip implements Transform {
  /** Probability of flipping. */
  readonly p: number;

  /** Checks and keeps `p`. */
  constructor(options: RandomHorizontalFlipOptions = {}) {
    checkOptions("RandomHorizontalFlip", options, RANDOM_HORIZONTAL_FLIP_OPTIONS);
    this.p = options.p ?? 0.5;
    if (!(this.p >= 0 && this.p <= 1)) {
      throw new Error(`RandomHorizontalFlip p must be in [0, 1], got ${options.p}`);
    }
  }

  /** Draws whether this sample flips (always one draw, so streams stay aligned). */
  draw(): boolean {
    return sampleRandom().next() < this.p;
  }

  /** Flips (or not) one image. */
  apply(x: unknown): HostArray {
    const l = imageLayout(x, "RandomHorizontalFlip");
    if (!this.draw()) return x as HostArray;
    return window(x as HostArray, l, 0, 0, l.height, l.width, true);
  }

  /** Rebuild description for workers. */
  workerSpec(): WorkerSpec {
    return { $kind: "RandomHorizontalFlip", options: { p: this.p } };
  }
}
