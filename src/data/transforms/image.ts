/**
 * Pixel addressing shared by the image transforms. Layout follows torchvision: a uint8 image is
 * `[H, W, C]` or `[H, W]` (the decoded, "PIL" form); a float32 image is `[C, H, W]` or `[H, W]`
 * (the `ToTensor` form).
 *
 * @module
 */
import { type HostArray, type HostData, isHostArray } from "../host_array.ts";

/** An image's geometry and where its channels live. */
export interface ImageLayout {
  height: number;
  width: number;
  channels: number;
  /** True for `[H, W, C]`/`[H, W]` uint8 images, false for `[C, H, W]` float ones. */
  channelsLast: boolean;
}

/** The layout of an image host array; throws naming the transform when it is not an image. */
export function imageLayout(x: unknown, transform: string): ImageLayout {
  if (!isHostArray(x)) {
    throw new Error(`${transform} expects an image (a host array), got ${describe(x)}`);
  }
  const s = x.shape;
  const channelsLast = x.data instanceof Uint8Array;
  if (s.length === 2) return { height: s[0], width: s[1], channels: 1, channelsLast };
  if (s.length === 3) {
    return channelsLast
      ? { height: s[0], width: s[1], channels: s[2], channelsLast }
      : { height: s[1], width: s[2], channels: s[0], channelsLast };
  }
  throw new Error(`${transform} expects an image of 2 or 3 dims, got shape [${s}]`);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  return typeof x === "object" ? `a ${(x as object).constructor?.name ?? "object"}` : typeof x;
}

/** The shape of an image like `x` with another height and width. */
export function withSize(x: HostArray, l: ImageLayout, h: number, w: number): number[] {
  if (x.shape.length === 2) return [h, w];
  return l.channelsLast ? [h, w, l.channels] : [l.channels, h, w];
}

function alloc(x: HostArray, n: number): HostData {
  return x.data instanceof Uint8Array
    ? new Uint8Array(n)
    : x.data instanceof Int32Array
    ? new Int32Array(n)
    : new Float32Array(n);
}

/**
 * A window of `h` x `w` pixels whose top-left is (`top`, `left`) in `x` (negative or past the
 * edge reads `fill`: that is how padding works), mirrored horizontally when `flip`.
 */
export function window(
  x: HostArray,
  l: ImageLayout,
  top: number,
  left: number,
  h: number,
  w: number,
  flip: boolean,
  fill = 0,
): HostArray {
  const { height: H, width: W, channels: C, channelsLast } = l;
  const out = alloc(x, h * w * C);
  const src = x.data;
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < h; y++) {
      const sy = y + top;
      for (let xo = 0; xo < w; xo++) {
        const sx = flip ? left + w - 1 - xo : left + xo;
        const o = channelsLast ? (y * w + xo) * C + c : (c * h + y) * w + xo;
        if (sy < 0 || sy >= H || sx < 0 || sx >= W) out[o] = fill;
        else out[o] = src[channelsLast ? (sy * W + sx) * C + c : (c * H + sy) * W + sx];
      }
    }
  }
  return { data: out, shape: withSize(x, l, h, w) };
}

/** Bilinear resampling to `h` x `w` (half-pixel centres, as torch's align_corners=False). */
export function bilinear(x: HostArray, l: ImageLayout, h: number, w: number): HostArray {
  const { height: H, width: W, channels: C, channelsLast } = l;
  const out = alloc(x, h * w * C);
  const src = x.data;
  const round = x.data instanceof Uint8Array;
  const at = (c: number, y: number, xx: number) =>
    src[channelsLast ? (y * W + xx) * C + c : (c * H + y) * W + xx];
  for (let y = 0; y < h; y++) {
    const fy = Math.max(0, (y + 0.5) * (H / h) - 0.5);
    const y0 = Math.min(Math.floor(fy), H - 1), y1 = Math.min(y0 + 1, H - 1), dy = fy - y0;
    for (let xo = 0; xo < w; xo++) {
      const fx = Math.max(0, (xo + 0.5) * (W / w) - 0.5);
      const x0 = Math.min(Math.floor(fx), W - 1), x1 = Math.min(x0 + 1, W - 1), dx = fx - x0;
      for (let c = 0; c < C; c++) {
        const v = (at(c, y0, x0) * (1 - dx) + at(c, y0, x1) * dx) * (1 - dy) +
          (at(c, y1, x0) * (1 - dx) + at(c, y1, x1) * dx) * dy;
        out[channelsLast ? (y * w + xo) * C + c : (c * h + y) * w + xo] = round ? Math.round(v) : v;
      }
    }
  }
  return { data: out, shape: withSize(x, l, h, w) };
}

/** `size` as [h, w]: a number means a square. */
export function pair(size: number | readonly number[], what: string): [number, number] {
  const s = typeof size === "number" ? [size, size] : [...size];
  if (s.length !== 2 || !s.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(
      `${what} must be a positive integer or [height, width], got ${JSON.stringify(size)}`,
    );
  }
  return [s[0], s[1]];
}
