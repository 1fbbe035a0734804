/**
 * One generated kernel for any elementwise expression over broadcast inputs: a forward op, or a
 * whole backward rule fused into a single pass (sigmoid's `g * s * (1 - s)` is one dispatch).
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex, wgslType } from "./_grid.ts";
import { sizeOf, stridesOf } from "./shape.ts";

/** Element types the kernels handle. */
export type KernelDType = "float32" | "int32";

/** One input: its element type and its strides over the output's coordinates (0 = broadcast). */
export interface ElementwiseInput {
  dtype: KernelDType;
  strides: readonly number[];
}

/** An elementwise kernel description. */
export interface ElementwiseSpec {
  /**
   * WGSL expression of the result. Inputs are `x0, x1, ...` (converted to `computeType`), the
   * output coordinates `c0, c1, ...` (u32) and the flat index `i`.
   */
  expr: string;
  inputs: readonly ElementwiseInput[];
  outShape: readonly number[];
  outDtype: KernelDType;
  /** Type the inputs are converted to before `expr` is evaluated. */
  computeType: KernelDType;
  /** WGSL functions the expression calls. */
  prelude?: string;
}

const WG = 256;

/** Builds the kernel; bind the inputs in order, then the output. */
export function elementwiseKernel(spec: ElementwiseSpec): KernelSpec {
  const n = sizeOf(spec.outShape);
  const workgroups = grid1d(n, WG);
  const key = `ew|${spec.expr}|${spec.inputs.map((x) => `${x.dtype}:${x.strides}`).join(";")}|` +
    `${spec.outShape}|${spec.outDtype}|${spec.computeType}|${workgroups}`;
  return { key, workgroups, source: () => elementwiseSource(spec, n, workgroups) };
}

function elementwiseSource(
  spec: ElementwiseSpec,
  n: number,
  workgroups: readonly [number, number, number],
): string {
  const rank = spec.outShape.length;
  const contiguous = stridesOf(spec.outShape);
  const ct = wgslType(spec.computeType);
  const lines: string[] = [];
  spec.inputs.forEach((x, k) => {
    lines.push(`@group(0) @binding(${k}) var<storage, read> in${k}: array<${wgslType(x.dtype)}>;`);
  });
  lines.push(
    `@group(0) @binding(${spec.inputs.length}) var<storage, read_write> out: array<${
      wgslType(spec.outDtype)
    }>;`,
  );
  if (spec.prelude) lines.push(spec.prelude);
  const body: string[] = [];
  const usesCoords = /\bc\d/.test(spec.expr) ||
    spec.inputs.some((x) => x.strides.some((s, d) => s !== contiguous[d]));
  if (usesCoords && rank > 0) {
    body.push(`var rem = i;`);
    for (let d = rank - 1; d >= 0; d--) {
      body.push(`let c${d} = rem % ${spec.outShape[d]}u; rem = rem / ${spec.outShape[d]}u;`);
    }
  }
  spec.inputs.forEach((x, k) => {
    const same = x.strides.every((s, d) => s === contiguous[d]);
    const terms = x.strides.map((s, d) => (s === 0 ? "" : `c${d} * ${s}u`)).filter(Boolean);
    const off = same ? "i" : terms.length ? terms.join(" + ") : "0u";
    body.push(`let x${k} = ${ct}(in${k}[${off}]);`);
  });
  return `${lines.join("\n")}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${groupIndex(workgroups)} * ${WG}u + lid;
  if (i >= ${n}u) { return; }
  ${body.join("\n  ")}
  out[i] = ${wgslType(spec.outDtype)}(${spec.expr});
}
`;
}
