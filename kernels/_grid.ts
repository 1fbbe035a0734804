/**
 * Grid helpers shared by the kernels: 1-D work spread over a 2-D grid of workgroups, since one
 * grid dimension holds at most 65,535 workgroups.
 *
 * @module
 */

/** Largest workgroup count along one grid dimension (WebGPU's default limit). */
export const MAX_GROUPS = 65535;

/** Workgroups for `threads` threads in groups of `size`, folded into x and y. */
export function grid1d(threads: number, size: number): [number, number, number] {
  const groups = Math.ceil(threads / size);
  if (groups <= MAX_GROUPS) return [groups, 1, 1];
  const x = MAX_GROUPS;
  return [x, Math.ceil(groups / x), 1];
}

/** WGSL for the flat index of this workgroup, given the grid from `grid1d`. */
export function groupIndex(grid: readonly [number, number, number]): string {
  return `(wid.y * ${grid[0]}u + wid.x)`;
}

/** WGSL array element type for a dtype. */
export function wgslType(dtype: "float32" | "int32"): string {
  return dtype === "float32" ? "f32" : "i32";
}

/** A number as a WGSL literal of the given type, exact for every finite f32 and for ±inf, NaN. */
export function literal(value: number, dtype: "float32" | "int32" = "float32"): string {
  if (dtype === "int32") return `i32(${Math.trunc(value)})`;
  if (Number.isNaN(value)) return "bitcast<f32>(0x7fc00000u)";
  if (value === Infinity) return "bitcast<f32>(0x7f800000u)";
  if (value === -Infinity) return "bitcast<f32>(0xff800000u)";
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0];
  return `bitcast<f32>(${bits}u)`;
}
