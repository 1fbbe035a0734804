/** `Normalize`: per-channel (x - mean) / std of a float image `[C, H, W]`. */
import { type HostArray, isHostArray } from "../host_array.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import type { Transform } from "./transform.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `Normalize`. */
export interface NormalizeOptions {
  /** Per-channel means (one value applies to every channel). */
  mean: number | readonly number[];
  /** Per-channel standard deviations, all non-zero. */
  std: number | readonly number[];
}

/** Every option name of `NormalizeOptions` (add a name here when adding an option above). */
const NORMALIZE_OPTIONS = ["mean", "std"] as const satisfies readonly (keyof NormalizeOptions)[];

/**
 * Normalizes each channel of a float32 image `[C, H, W]` (or `[H, W]`): (x - mean[c]) / std[c].
 *
 * @example
 * ```ts
 * import { data } from "lumen";
 * const n = new data.transforms.Normalize({ mean: [0.5], std: [0.25] });
 * console.log((n.apply(data.hostArray(new Float32Array([1, 0]), [1, 1, 2])) as data.HostArray).data);
 * // Float32Array(2) [2, -2]
 * ```
 */
export class Normalize implements Transform {
  /** Per-channel means. */
  readonly mean: readonly number[];
  /** Per-channel standard deviations. */
  readonly std: readonly number[];

  /** Checks and keeps mean and std. */
  constructor(options: NormalizeOptions) {
    checkOptions("Normalize", options, NORMALIZE_OPTIONS);
    if (!options || options.mean === undefined || options.std === undefined) {
      throw new Error("Normalize needs {mean, std}");
    }
    this.mean = typeof options.mean === "number" ? [options.mean] : [...options.mean];
    this.std = typeof options.std === "number" ? [options.std] : [...options.std];
    if (this.mean.length !== this.std.length) {
      throw new Error(
        `Normalize: mean has ${this.mean.length} values but std has ${this.std.length}`,
      );
    }
    if (this.std.some((s) => s === 0)) throw new Error("Normalize: std must not contain 0");
  }

  /** The mean and std of channel `c` of `channels`, checking the channel count. */
  channelStats(channels: number): { mean: number[]; std: number[] } {
    const n = this.mean.length;
    if (n !== 1 && n !== channels) {
      throw new Error(`Normalize has ${n} means but the image has ${channels} channels`);
    }
    const pick = (v: readonly number[]) =>
      Array.from({ length: channels }, (_, c) => v[n === 1 ? 0 : c]);
    return { mean: pick(this.mean), std: pick(this.std) };
  }

  /** Normalizes one image. */
  apply(x: unknown): HostArray {
    if (!isHostArray(x) || !(x.data instanceof Float32Array)) {
      throw new Error("Normalize expects a float32 image [C, H, W]; apply ToTensor first");
    }
    const s = x.shape;
    const channels = s.length === 3 ? s[0] : 1;
    const plane = x.data.length / Math.max(channels, 1);
    const { mean, std } = this.channelStats(channels);
    const out = new Float32Array(x.data.length);
    for (let c = 0; c < channels; c++) {
      const m = mean[c], inv = std[c];
      for (let p = c * plane; p < (c + 1) * plane; p++) out[p] = (x.data[p] - m) / inv;
    }
    return { data: out, shape: [...s] };
  }

  /** Rebuild description for workers. */
  workerSpec(): WorkerSpec {
    return { $kind: "Normalize", options: { mean: [...this.mean], std: [...this.std] } };
  }
}
