/** Crops: `RandomCrop` (with padding) and `CenterCrop`. */
import type { HostArray } from "../host_array.ts";
import { sampleRandom } from "../random.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import { imageLayout, pair, window } from "./image.ts";
import type { Transform } from "./transform.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `RandomCrop`. */
export interface RandomCropOptions {
  /** Output size: a number (square) or [height, width]. */
  size: number | readonly number[];
  /** Pixels of `fill` added on every side before cropping (as torchvision's `padding=int`). */
  padding?: number;
  /** The padding value. */
  fill?: number;
}

/** Every option name of `RandomCropOptions` (add a name here when adding an option above). */
const RANDOM_CROP_OPTIONS = [
  "size",
  "padding",
  "fill",
] as const satisfies readonly (keyof RandomCropOptions)[];

/** Where a crop window lies; shared with the batched GPU form so both draw the same numbers. */
export interface CropWindow {
  /** Row of the window's top edge. */
  top: number;
  /** Column of the window's left edge. */
  left: number;
}

/**
 * Crops a random `size` window of the image padded by `padding` on each side. The position is
 * drawn from the sample's seeded stream, so workers and reruns crop identically.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const crop = new data.transforms.RandomCrop({ size: 28, padding: 4 });
 * const x = crop.apply(data.hostArray(new Float32Array(28 * 28), [1, 28, 28])) as data.HostArray;
 * console.log(x.shape); // [1, 28, 28]
 * ```
 */
export class RandomCrop implements Transform {
  /** Output [height, width]. */
  readonly size: [number, number];
  /** Padding on each side. */
  readonly padding: number;
  /** Padding value. */
  readonly fill: number;

  /** Checks and keeps the options. */
  constructor(options: RandomCropOptions) {
    checkOptions("RandomCrop", options, RANDOM_CROP_OPTIONS);
    this.size = pair(options?.size, "RandomCrop size");
    this.padding = options.padding ?? 0;
    this.fill = options.fill ?? 0;
    if (!Number.isInteger(this.padding) || this.padding < 0) {
      throw new Error(`RandomCrop padding must be a non-negative integer, got ${options.padding}`);
    }
  }

  /** Draws the window for an image of `height` x `width` (top-left in unpadded coordinates). */
  draw(height: number, width: number): CropWindow {
    const [h, w] = this.size;
    const p = this.padding;
    if (height + 2 * p < h || width + 2 * p < w) {
      throw new Error(
        `RandomCrop of [${h}, ${w}] does not fit an image of [${height}, ${width}] padded by ${p}`,
      );
    }
    const r = sampleRandom();
    const top = r.int(height + 2 * p - h + 1) - p;
    const left = r.int(width + 2 * p - w + 1) - p;
    return { top, left };
  }

  /** Crops one image. */
  apply(x: unknown): HostArray {
    const l = imageLayout(x, "RandomCrop");
    const { top, left } = this.draw(l.height, l.width);
    return window(x as HostArray, l, top, left, this.size[0], this.size[1], false, this.fill);
  }

  /** Rebuild description for workers. */
  workerSpec(): WorkerSpec {
    return {
      $kind: "RandomCrop",
      options: { size: [...this.size], padding: this.padding, fill: this.fill },
    };
  }
}

/** Options of `CenterCrop`. */
export interface CenterCropOptions {
  /** Output size: a number (square) or [height, width]. */
  size: number | readonly number[];
}

/** Every option name of `CenterCropOptions` (add a name here when adding an option above). */
const CENTER_CROP_OPTIONS = ["size"] as const satisfies readonly (keyof CenterCropOptions)[];

/**
 * Crops the central `size` window (padding with 0 when the image is smaller).
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const x = new data.transforms.CenterCrop({ size: 2 }).apply(
 *   data.hostArray(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]), [1, 4, 4]),
 * ) as data.HostArray;
 * console.log(x.data); // Float32Array(4) [6, 7, 10, 11]
 * ```
 */
export class CenterCrop implements Transform {
  /** Output [height, width]. */
  readonly size: [number, number];

  /** Checks and keeps the size. */
  constructor(options: CenterCropOptions) {
    checkOptions("CenterCrop", options, CENTER_CROP_OPTIONS);
    this.size = pair(options?.size, "CenterCrop size");
  }

  /** The window for an image of `height` x `width`. */
  window(height: number, width: number): CropWindow {
    return {
      top: Math.floor((height - this.size[0]) / 2),
      left: Math.floor((width - this.size[1]) / 2),
    };
  }

  /** Crops one image. */
  apply(x: unknown): HostArray {
    const l = imageLayout(x, "CenterCrop");
    const { top, left } = this.window(l.height, l.width);
    return window(x as HostArray, l, top, left, this.size[0], this.size[1], false);
  }

  /** Rebuild description for workers. */
  workerSpec(): WorkerSpec {
    return { $kind: "CenterCrop", options: { size: [...this.size] } };
  }
}
