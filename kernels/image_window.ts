/**
 * One window cut from every image of a batch (the device form of crops and flips): each sample
 * reads its own [top, left, flip] row, and pixels outside the source take the fill value.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex, literal } from "./_grid.ts";

/** A batch of images: its size, each image's height and width, and the channels. */
export interface ImageBatchGeometry {
  /** Images in the batch. */
  batch: number;
  /** Source height. */
  height: number;
  /** Source width. */
  width: number;
  /** Channels (1 for [B, H, W]). */
  channels: number;
}

const WG = 256;

/**
 * Cuts an `h` x `w` window from each image: bindings are the source (f32), the windows (i32,
 * [top, left, flip] per sample; top and left may be negative, reaching into the fill) and the
 * output, laid out channels-last ([B, h, w, C]) or channels-first ([B, C, h, w]) as the source.
 */
export function imageWindowKernel(
  g: ImageBatchGeometry,
  h: number,
  w: number,
  channelsLast: boolean,
  fill: number,
): KernelSpec {
  const { batch: B, height: H, width: W, channels: C } = g;
  const total = B * C * h * w;
  const workgroups = grid1d(total, WG);
  const decode = channelsLast
    ? `let c = i % ${C}u; var r = i / ${C}u; let x = r % ${w}u; r = r / ${w}u; let y = r % ${h}u; let b = r / ${h}u;`
    : `let x = i % ${w}u; var r = i / ${w}u; let y = r % ${h}u; r = r / ${h}u; let c = r % ${C}u; let b = r / ${C}u;`;
  const src = channelsLast
    ? `((b * ${H}u + u32(sy)) * ${W}u + u32(sx)) * ${C}u + c`
    : `((b * ${C}u + c) * ${H}u + u32(sy)) * ${W}u + u32(sx)`;
  return {
    key: `data.window|${B},${H},${W},${C}|${h},${w}|${channelsLast}|${fill}|${workgroups}`,
    workgroups,
    source: () =>
      `@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> win: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (i >= ${total}u) { return; }
  ${decode}
  let top = win[3u * b]; let left = win[3u * b + 1u]; let flip = win[3u * b + 2u];
  let xs = select(x, ${w - 1}u - x, flip != 0);
  let sy = i32(y) + top; let sx = i32(xs) + left;
  if (sy < 0 || sy >= ${H} || sx < 0 || sx >= ${W}) { out[i] = ${literal(fill)}; return; }
  out[i] = src[${src}];
}
`,
  };
}
