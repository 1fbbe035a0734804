/**
 * Kernels of the batch upload path: uint8 data widened from packed words, and tensors
 * concatenated end to end (stacking per-sample tensors into a batch).
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex, wgslType } from "./_grid.ts";

const WG = 256;

/** Inputs per concatenation dispatch: WebGPU guarantees 8 storage buffers, one is the output. */
export const MAX_CONCAT_INPUTS = 7;

/** `n` bytes packed four to a u32 word (little-endian) widened to f32 values 0..255. */
export function unpackBytesKernel(n: number): KernelSpec {
  const workgroups = grid1d(n, WG);
  return {
    key: `data.unpack_u8|${n}|${workgroups}`,
    workgroups,
    source: () =>
      `@group(0) @binding(0) var<storage, read> packed: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (i >= ${n}u) { return; }
  out[i] = f32((packed[i / 4u] >> (8u * (i % 4u))) & 255u);
}
`,
  };
}

/**
 * Inputs of `sizes` elements (at most {@link MAX_CONCAT_INPUTS}) copied end to end into one
 * output, each bound in order before the output.
 */
export function concatKernel(sizes: readonly number[], dtype: "float32" | "int32"): KernelSpec {
  const total = sizes.reduce((a, b) => a + b, 0);
  const workgroups = grid1d(total, WG);
  const t = wgslType(dtype);
  return {
    key: `data.concat|${sizes}|${dtype}|${workgroups}`,
    workgroups,
    source: () => {
      const lines = sizes.map((_, k) =>
        `@group(0) @binding(${k}) var<storage, read> in${k}: array<${t}>;`
      );
      lines.push(`@group(0) @binding(${sizes.length}) var<storage, read_write> out: array<${t}>;`);
      let start = 0;
      const branches = sizes.map((s, k) => {
        const b = `if (i < ${start + s}u) { out[i] = in${k}[i - ${start}u]; return; }`;
        start += s;
        return b;
      });
      return `${lines.join("\n")}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (i >= ${total}u) { return; }
  ${branches.join("\n  ")}
}
`;
    },
  };
}
