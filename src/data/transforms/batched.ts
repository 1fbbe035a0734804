/**
 * Transforms applied to a whole batch on the device, after upload: one dispatch per transform
 * for the batch instead of a host loop per sample. Random draws come from each sample's own
 * seeded stream, in the same order as the per-sample form, so the two agree on what they draw.
 * Imported by the loader only: the transform classes themselves stay host-only, so that workers
 * load them without the tensor and kernel code.
 *
 * @module
 */
import { Tensor } from "../../tensor/tensor.ts";
import { tensor } from "../../tensor/creation.ts";
import { mapElementwise, runKernel } from "../../ops/_run.ts";
import { elementwiseKernel } from "../../../kernels/elementwise.ts";
import { type ImageBatchGeometry, imageWindowKernel } from "../../../kernels/image_window.ts";
import { type RandomStream, withStream } from "../random.ts";
import { Compose, type TransformLike } from "./transform.ts";
import { applyTransform } from "./_apply.ts";
import { ToTensor } from "./to_tensor.ts";
import { Normalize } from "./normalize.ts";
import { CenterCrop, RandomCrop } from "./crop.ts";
import { RandomHorizontalFlip } from "./flip.ts";
import { Resize } from "./resize.ts";

/** A batch of images on the device and its layout. */
export interface DeviceImages {
  /** `[B, H, W, C]`/`[B, H, W]` when `channelsLast` (uploaded uint8 images), else `[B, C, H, W]`/`[B, H, W]`. */
  tensor: Tensor;
  /** Whether channels are the last dim (the decoded form, before `ToTensor`). */
  channelsLast: boolean;
}

function geometry(x: DeviceImages, what: string): ImageBatchGeometry {
  const s = x.tensor.shape;
  if (s.length === 3) return { batch: s[0], height: s[1], width: s[2], channels: 1 };
  if (s.length === 4) {
    return x.channelsLast
      ? { batch: s[0], height: s[1], width: s[2], channels: s[3] }
      : { batch: s[0], height: s[2], width: s[3], channels: s[1] };
  }
  throw new Error(`${what} on the device expects a batch of images of 3 or 4 dims, got [${s}]`);
}

/** Cuts one window per sample: rows of `windows` are [top, left, flip]. */
function cutWindows(
  x: DeviceImages,
  g: ImageBatchGeometry,
  windows: Int32Array,
  h: number,
  w: number,
  fill: number,
): DeviceImages {
  const s = x.tensor.shape;
  const shape = s.length === 3
    ? [g.batch, h, w]
    : x.channelsLast
    ? [g.batch, h, w, g.channels]
    : [g.batch, g.channels, h, w];
  const params = tensor(windows, { dtype: "int32" });
  const out = runKernel(
    imageWindowKernel(g, h, w, x.channelsLast, fill),
    [x.tensor, params],
    shape,
    "float32",
  );
  params.dispose();
  return { tensor: out, channelsLast: x.channelsLast };
}

function toTensorOnDevice(x: DeviceImages): DeviceImages {
  if (!x.channelsLast) return x;
  const s = x.tensor.shape;
  if (s.length === 3) {
    const view = x.tensor.share([s[0], 1, s[1], s[2]]);
    const t = mapElementwise("x0 / 255.0", [view]);
    view.dispose();
    return { tensor: t, channelsLast: false };
  }
  const [B, H, W, C] = s;
  // Read [B, H, W, C] in [B, C, H, W] order: strides over the output coordinates.
  const kernel = elementwiseKernel({
    expr: "x0 / 255.0",
    inputs: [{ dtype: "float32", strides: [H * W * C, 1, W * C, C] }],
    outShape: [B, C, H, W],
    outDtype: "float32",
    computeType: "float32",
  });
  return { tensor: runKernel(kernel, [x.tensor], [B, C, H, W], "float32"), channelsLast: false };
}

function normalizeOnDevice(n: Normalize, x: DeviceImages): DeviceImages {
  if (x.channelsLast) {
    throw new Error("Normalize on the device expects [B, C, H, W] floats; put ToTensor before it");
  }
  const g = geometry(x, "Normalize");
  const { mean, std } = n.channelStats(g.channels);
  const statShape = x.tensor.ndim === 4 ? [1, g.channels, 1, 1] : [1, 1, 1];
  const m = tensor(new Float32Array(mean), { shape: statShape });
  const s = tensor(new Float32Array(std), { shape: statShape });
  const out = mapElementwise("(x0 - x1) / x2", [x.tensor, m, s]);
  m.dispose();
  s.dispose();
  return { tensor: out, channelsLast: false };
}

/** Applies one transform (or a composition) to a device batch; `streams` has one per sample. */
export function applyOnDevice(
  t: TransformLike,
  x: DeviceImages,
  streams: readonly RandomStream[],
): DeviceImages {
  if (t instanceof Compose) {
    let cur = x;
    for (const part of t.transforms) {
      const next = applyOnDevice(part, cur, streams);
      if (cur !== x && next !== cur) cur.tensor.dispose();
      cur = next;
    }
    return cur;
  }
  if (t instanceof ToTensor) return toTensorOnDevice(x);
  if (t instanceof Normalize) return normalizeOnDevice(t, x);
  if (t instanceof RandomCrop || t instanceof CenterCrop || t instanceof RandomHorizontalFlip) {
    const g = geometry(x, t.constructor.name);
    const windows = new Int32Array(g.batch * 3);
    let [h, w] = [g.height, g.width];
    for (let b = 0; b < g.batch; b++) {
      if (t instanceof RandomHorizontalFlip) {
        windows[3 * b + 2] = withStream(streams[b], () => t.draw()) ? 1 : 0;
      } else {
        const win = t instanceof RandomCrop
          ? withStream(streams[b], () => t.draw(g.height, g.width))
          : t.window(g.height, g.width);
        windows[3 * b] = win.top;
        windows[3 * b + 1] = win.left;
        [h, w] = t.size;
      }
    }
    const fill = t instanceof RandomCrop ? t.fill : 0;
    return cutWindows(x, g, windows, h, w, fill);
  }
  if (t instanceof Resize) {
    throw new Error("Resize has no device form; put it in the dataset's transform instead");
  }
  if (typeof t === "function") {
    const out = applyTransform(t, x.tensor);
    if (!(out instanceof Tensor)) {
      throw new Error("A batch transform function must return a Tensor");
    }
    return { tensor: out, channelsLast: x.channelsLast };
  }
  throw new Error(
    `${(t as object).constructor?.name ?? "This transform"} has no device form; use it in the ` +
      `dataset's transform instead`,
  );
}
