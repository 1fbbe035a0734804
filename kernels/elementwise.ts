/**
 * One generated kernel for any elementwise expression over broadcast inputs: a forward op, or a
 * whole backward rule fused into a single pass (sigmoid's `g * s * (1 - s)` is one dispatch).
 *
 * Values never reach the WGSL: the element count, the output's dimensions, the broadcast inputs'
 * strides and the scalar operands travel in the dispatch's `params`, so a pipeline is keyed by
 * the expression, the dtypes, how each input is indexed (flat, strided, or one element) and the
 * rank. `x.mul(s)` for any `s`, and the same op at any batch size, share one pipeline. Before
 * that, adjacent dimensions every input walks the same way are merged (a contiguous operation is
 * rank 1 at any shape; a channel bias over NCHW is rank 3).
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d, groupIndex, MAX_GROUPS, wgslType } from "./_grid.ts";
import { sizeOf } from "./shape.ts";

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
   * scalar operands `s0, s1, ...` (of `computeType`), the output coordinates `c0, c1, ...` (u32)
   * and the flat index `i`.
   */
  expr: string;
  inputs: readonly ElementwiseInput[];
  outShape: readonly number[];
  outDtype: KernelDType;
  /** Type the inputs are converted to before `expr` is evaluated. */
  computeType: KernelDType;
  /** WGSL functions the expression calls. */
  prelude?: string;
  /**
   * Values of `s0, s1, ...`, passed per dispatch (never compiled in): exact for every f32, ±inf
   * and NaN; truncated toward zero when `computeType` is int32.
   */
  scalars?: readonly number[];
}

const WG = 256;
/** The flat workgroup index for any grid from `grid1d` (its x is MAX_GROUPS once y > 1). */
const GROUP_INDEX = groupIndex([MAX_GROUPS, 1, 1]);

/** How a kernel reads one input: at the flat index, through strides, or its one element. */
type Indexing = "flat" | "strided" | "one";

/** Short ids of the preludes seen, so a key names a prelude without spelling it out. */
const preludeIds = new Map<string, number>();

function preludeId(prelude: string | undefined): number {
  if (!prelude) return 0;
  let id = preludeIds.get(prelude);
  if (id === undefined) preludeIds.set(prelude, id = preludeIds.size + 1);
  return id;
}

/** Whether `expr` reads the output coordinates `c0, c1, ...`. */
const USES_COORDS = /\bc\d/;
/** `USES_COORDS` by expression (bounded: cleared when it grows past 4096 expressions). */
const coordsByExpr = new Map<string, boolean>();

function usesCoords(expr: string): boolean {
  let v = coordsByExpr.get(expr);
  if (v === undefined) {
    if (coordsByExpr.size >= 4096) coordsByExpr.clear();
    coordsByExpr.set(expr, v = USES_COORDS.test(expr));
  }
  return v;
}

/**
 * The output's dimensions with size-1 ones dropped and neighbours merged where every input's
 * strides allow (`stride[d] == stride[d + 1] * dim[d + 1]`), and each input's strides over them.
 */
export function collapseDims(
  outShape: readonly number[],
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const rank = outShape.length, m = strides.length;
  // Filled from the innermost dimension at the end; `top` is the first one filled.
  const shape = new Array<number>(rank);
  const out: number[][] = new Array(m);
  for (let k = 0; k < m; k++) out[k] = new Array<number>(rank);
  let top = rank;
  for (let d = rank - 1; d >= 0; d--) {
    const size = outShape[d];
    if (size === 1) continue;
    let merge = top < rank;
    for (let k = 0; merge && k < m; k++) merge = strides[k][d] === out[k][top] * shape[top];
    if (merge) {
      shape[top] *= size;
      continue;
    }
    top--;
    shape[top] = size;
    for (let k = 0; k < m; k++) out[k][top] = strides[k][d];
  }
  if (top === 0) return { shape, strides: out };
  return { shape: shape.slice(top), strides: out.map((s) => s.slice(top)) };
}

/** How `strides` reads over `shape`: at the flat index, through the strides, or one element. */
function indexing(strides: readonly number[], shape: readonly number[]): Indexing {
  let zero = true, flat = true, acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = strides[d];
    if (s !== 0 && shape[d] !== 1) zero = false;
    if (s !== acc && shape[d] !== 1) flat = false;
    acc *= shape[d];
  }
  return zero ? "one" : flat ? "flat" : "strided";
}

/** Scratch for writing scalars' bit patterns. */
const BITS = new ArrayBuffer(4);
const BITS_F32 = new Float32Array(BITS), BITS_I32 = new Int32Array(BITS);
const BITS_U32 = new Uint32Array(BITS);
const NO_SCALARS: readonly number[] = [];

/**
 * Builds the kernel; bind the inputs in order, then the output (the device binds `params` after
 * them). `params` = [element count, the output's dimensions, each strided input's strides, the
 * scalars' bit patterns]; the dimensions are left out when no input is strided and `expr` reads
 * no coordinates (the kernel then indexes by `i` alone, at any rank).
 */
export function elementwiseKernel(spec: ElementwiseSpec): KernelSpec {
  const n = sizeOf(spec.outShape);
  const workgroups = grid1d(n, WG);
  const scalars = spec.scalars ?? NO_SCALARS;
  const inputs = spec.inputs;
  const coords = usesCoords(spec.expr);
  // Each input at the flat index or at one element, over the shape as given?
  const modes: Indexing[] = new Array(inputs.length);
  let anyStrided = false;
  for (let k = 0; k < inputs.length; k++) {
    modes[k] = indexing(inputs[k].strides, spec.outShape);
    if (modes[k] === "strided") anyStrided = true;
  }
  let shape: readonly number[] = spec.outShape;
  let strides: readonly (readonly number[])[] | null = null;
  if (anyStrided && !coords) {
    const c = collapseDims(spec.outShape, inputs.map((x) => x.strides));
    shape = c.shape;
    strides = c.strides;
    anyStrided = false;
    for (let k = 0; k < inputs.length; k++) {
      modes[k] = indexing(strides[k], shape);
      if (modes[k] === "strided") anyStrided = true;
    }
  }
  const rank = anyStrided || coords ? shape.length : 0;
  let stridedCount = 0;
  for (const m of modes) if (m === "strided") stridedCount++;
  const at = 1 + rank * (1 + stridedCount);
  const params = new Uint32Array(at + scalars.length);
  params[0] = n;
  for (let d = 0; d < rank; d++) params[1 + d] = shape[d];
  let o = 1 + rank;
  for (let k = 0; k < inputs.length; k++) {
    if (modes[k] !== "strided") continue;
    const st = strides ? strides[k] : inputs[k].strides;
    for (let d = 0; d < rank; d++) params[o++] = st[d];
  }
  const int = spec.computeType === "int32";
  for (let j = 0; j < scalars.length; j++) {
    if (int) BITS_I32[0] = Math.trunc(scalars[j]);
    else BITS_F32[0] = scalars[j];
    params[at + j] = BITS_U32[0];
  }
  let key = "ew|" + spec.expr + "|";
  for (let k = 0; k < inputs.length; k++) key += inputs[k].dtype + ":" + modes[k] + ";";
  key += "|r" + rank + "|" + spec.outDtype + "|" + spec.computeType + "|s" + scalars.length +
    "|p" + preludeId(spec.prelude);
  return {
    key,
    workgroups,
    params,
    source: () => elementwiseSource(spec, rank, modes, scalars.length),
  };
}

function elementwiseSource(
  spec: ElementwiseSpec,
  rank: number,
  modes: readonly Indexing[],
  scalarCount: number,
): string {
  const ct = wgslType(spec.computeType);
  const lines: string[] = [];
  spec.inputs.forEach((x, k) => {
    lines.push(`@group(0) @binding(${k}) var<storage, read> in${k}: array<${wgslType(x.dtype)}>;`);
  });
  const m = spec.inputs.length;
  lines.push(
    `@group(0) @binding(${m}) var<storage, read_write> out: array<${wgslType(spec.outDtype)}>;`,
    `@group(0) @binding(${m + 1}) var<storage, read> params: array<u32>;`,
  );
  if (spec.prelude) lines.push(spec.prelude);
  const body: string[] = [];
  if (rank > 0) {
    body.push(`var rem = i;`);
    for (let d = rank - 1; d > 0; d--) {
      body.push(`let c${d} = rem % params[${1 + d}u]; rem = rem / params[${1 + d}u];`);
    }
    body.push(`let c0 = rem;`);
  }
  let strided = 0;
  spec.inputs.forEach((_, k) => {
    let off = "i";
    if (modes[k] === "one") off = "0u";
    if (modes[k] === "strided") {
      const base = 1 + rank * (1 + strided++);
      off = Array.from({ length: rank }, (_, d) => `c${d} * params[${base + d}u]`).join(" + ");
    }
    body.push(`let x${k} = ${ct}(in${k}[${off}]);`);
  });
  const at = 1 + rank * (1 + strided);
  for (let j = 0; j < scalarCount; j++) {
    body.push(`let s${j} = bitcast<${ct}>(params[${at + j}u]);`);
  }
  return `${lines.join("\n")}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${GROUP_INDEX} * ${WG}u + lid;
  if (i >= params[0]) { return; }
  ${body.join("\n  ")}
  out[i] = ${wgslType(spec.outDtype)}(${spec.expr});
}
`;
}
