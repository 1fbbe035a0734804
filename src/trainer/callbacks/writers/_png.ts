/** A prediction as an 8-bit PNG: FileWriter's `image` format. */
import { encodePng } from "../../../deps.ts";
import type { HostTensor } from "../../../io/safetensors_format.ts";

/**
 * PNG bytes of a 2-D `[H, W]` (grey) or 3-D `[C, H, W]` tensor with C = 1 (grey), 3 (RGB) or 4
 * (RGBA). Float values in [0, 1] become 0-255 (`round(v * 255)`, as torchvision's save_image;
 * values outside are clamped, NaN is 0); int32 values are taken as 0-255 and clamped.
 */
export function pngOf(sample: HostTensor): Uint8Array {
  const { shape } = sample;
  const channels = shape.length === 2 ? 1 : shape.length === 3 ? shape[0] : 0;
  if (![1, 3, 4].includes(channels) || shape.some((n) => n === 0)) {
    throw new TypeError(
      `FileWriter's 'image' writer needs a 2-D [H, W] or 3-D [C, H, W] prediction with C = 1, ` +
        `3 or 4 (no batch dimension), got shape [${shape}]`,
    );
  }
  const [height, width] = shape.slice(-2);
  const plane = height * width;
  const out = new Uint8Array(plane * channels);
  const float = sample.dtype === "float32";
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane; p++) {
      const v = sample.data[c * plane + p];
      const byte = float ? Math.round(Math.min(Math.max(v, 0), 1) * 255) : v;
      // NaN fails both comparisons and stays 0.
      out[p * channels + c] = byte > 255 ? 255 : byte > 0 ? byte : 0;
    }
  }
  return encodePng({ width, height, data: out, channels, depth: 8 });
}
