/** `ToTensor`: a decoded uint8 image `[H, W, C]` to float32 `[C, H, W]` in [0, 1]. */
import { type HostArray, isHostArray } from "../host_array.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import type { Transform } from "./transform.ts";

/** Options of `ToTensor` (none yet; the object keeps YAML's one-options-object rule). */
export type ToTensorOptions = Record<string, never>;

/**
 * Converts a uint8 image `[H, W, C]` (or `[H, W]`) to float32 `[C, H, W]` scaled to [0, 1], as
 * torchvision's `ToTensor`. Float32 input passes through unchanged.
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const x = new data.transforms.ToTensor().apply(data.hostArray(new Uint8Array([0, 51, 255, 102]), [1, 2, 2]));
 * console.log((x as data.HostArray).shape); // [2, 1, 2]
 * ```
 */
export class ToTensor implements Transform {
  /** Takes no options; any given is an error. */
  constructor(options: ToTensorOptions = {}) {
    const key = options ? Object.keys(options)[0] : undefined;
    if (key !== undefined) {
      throw new TypeError(`ToTensor has no option '${key}': it takes no options`);
    }
  }

  /** Converts one image. */
  apply(x: unknown): HostArray {
    if (!isHostArray(x)) throw new Error("ToTensor expects an image (a host array)");
    if (x.data instanceof Float32Array) return x;
    if (!(x.data instanceof Uint8Array)) {
      throw new Error("ToTensor expects a uint8 image [H, W, C] or a float32 one, got int32 data");
    }
    const s = x.shape;
    if (s.length !== 2 && s.length !== 3) {
      throw new Error(`ToTensor expects an image [H, W] or [H, W, C], got shape [${s}]`);
    }
    const [h, w, c] = [s[0], s[1], s.length === 3 ? s[2] : 1];
    const out = new Float32Array(h * w * c);
    const src = x.data;
    for (let p = 0; p < h * w; p++) {
      for (let k = 0; k < c; k++) out[k * h * w + p] = src[p * c + k] / 255;
    }
    return { data: out, shape: [c, h, w] };
  }

  /** Rebuild description for workers. */
  workerSpec(): WorkerSpec {
    return { $kind: "ToTensor", options: {} };
  }
}
