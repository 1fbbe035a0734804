/** `Resize` (bilinear). */
import type { HostArray } from "../host_array.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import { bilinear, imageLayout, pair } from "./image.ts";
import type { Transform } from "./transform.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `Resize`. */
export interface ResizeOptions {
  /** [height, width], or a number: the smaller edge's new length, keeping the aspect ratio. */
  size: number | readonly number[];
}

/** Every option name of `ResizeOptions` (add a name here when adding an option above). */
const RESIZE_OPTIONS = ["size"] as const satisfies readonly (keyof ResizeOptions)[];

/**
 * Resizes an image with bilinear interpolation (half-pixel centres, no antialiasing).
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const x = new data.transforms.Resize({ size: [4, 6] }).apply(data.hostArray(new Uint8Array(8 * 12), [8, 12]));
 * console.log((x as data.HostArray).shape); // [4, 6]
 * ```
 */
export class Resize implements Transform {
  /** The size option as given. */
  readonly size: number | readonly number[];

  /** Checks and keeps the size. */
  constructor(options: ResizeOptions) {
    checkOptions("Resize", options, RESIZE_OPTIONS);
    const size = options?.size;
    if (typeof size === "number") pair(size, "Resize size");
    else pair(size as readonly number[], "Resize size");
    this.size = typeof size === "number" ? size : [...size];
  }

  /** The output [height, width] for an input of `height` x `width`. */
  outputSize(height: number, width: number): [number, number] {
    if (typeof this.size !== "number") return [this.size[0], this.size[1]];
    const s = this.size;
    return height <= width
      ? [s, Math.max(1, Math.floor((s * width) / height))]
      : [Math.max(1, Math.floor((s * height) / width)), s];
  }

  /** Resizes one image. */
  apply(x: unknown): HostArray {
    const l = imageLayout(x, "Resize");
    const [h, w] = this.outputSize(l.height, l.width);
    if (h === l.height && w === l.width) return x as HostArray;
    return bilinear(x as HostArray, l, h, w);
  }

  /** Rebuild description for workers. */
  workerSpec(): WorkerSpec {
    return { $kind: "Resize", options: { size: this.size } };
  }
}
