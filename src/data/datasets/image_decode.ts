/** PNG and JPEG to a uint8 host array `[H, W, C]`, recognised by their signatures. */
import { decodePng, jpegJs } from "../../deps.ts";
import { DataFormatError } from "../errors.ts";
import type { HostArray } from "../host_array.ts";
import type { ImageMode } from "./image_mode.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(b: Uint8Array): boolean {
  return PNG_SIGNATURE.every((v, i) => b[i] === v);
}

function isJpeg(b: Uint8Array): boolean {
  return b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

/** Converts interleaved pixels with `c` channels to `mode`. */
function convert(data: Uint8Array, h: number, w: number, c: number, mode: ImageMode): HostArray {
  if (mode === "keep") return { data, shape: [h, w, c] };
  const n = h * w;
  const want = mode === "rgb" ? 3 : 1;
  if (c === want) return { data, shape: [h, w, c] };
  const out = new Uint8Array(n * want);
  for (let p = 0; p < n; p++) {
    const r = data[p * c], g = data[p * c + (c >= 3 ? 1 : 0)], b = data[p * c + (c >= 3 ? 2 : 0)];
    if (want === 3) {
      out[p * 3] = r;
      out[p * 3 + 1] = g;
      out[p * 3 + 2] = b;
    } else {
      // ITU-R 601-2 luma, as PIL's convert("L").
      out[p] = c >= 3 ? Math.round((r * 299 + g * 587 + b * 114) / 1000) : r;
    }
  }
  return { data: out, shape: [h, w, want] };
}

function decodePngTo(bytes: Uint8Array, mode: ImageMode): HostArray {
  const png = decodePng(bytes);
  const { width: w, height: h } = png;
  let c = png.channels;
  let data: Uint8Array;
  if (png.palette) {
    const pal = png.palette;
    c = pal[0]?.length ?? 3;
    const idx = png.data;
    data = new Uint8Array(w * h * c);
    for (let p = 0; p < w * h; p++) {
      const entry = pal[idx[p]] ?? [];
      for (let k = 0; k < c; k++) data[p * c + k] = entry[k] ?? 0;
    }
  } else if (png.depth === 16) {
    data = Uint8Array.from(png.data, (v) => v >> 8);
  } else if (png.depth < 8) {
    const scale = 255 / ((1 << png.depth) - 1);
    data = Uint8Array.from(png.data, (v) => Math.round(v * scale));
  } else {
    data = png.data as Uint8Array;
  }
  return convert(data, h, w, c, mode);
}

/**
 * Decodes a PNG or JPEG file's bytes. Anything else, or a file the decoder rejects, throws a
 * `DataFormatError` naming the file.
 */
export function decodeImage(bytes: Uint8Array, file: string, mode: ImageMode = "rgb"): HostArray {
  if (isPng(bytes)) {
    try {
      return decodePngTo(bytes, mode);
    } catch (e) {
      throw new DataFormatError(`unreadable PNG image (${(e as Error).message})`, {
        file,
        cause: e,
      });
    }
  }
  if (isJpeg(bytes)) {
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = jpegJs.decode(bytes, { useTArray: true, formatAsRGBA: true });
    } catch (e) {
      throw new DataFormatError(`unreadable JPEG image (${(e as Error).message})`, {
        file,
        cause: e,
      });
    }
    return convert(img.data, img.height, img.width, 4, mode === "keep" ? "rgb" : mode);
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new DataFormatError(
    `unreadable image: neither a PNG nor a JPEG signature (first bytes: ${head || "none"})`,
    { file, offset: 0 },
  );
}
