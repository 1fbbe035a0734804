/**
 * Fusion of elementwise chains: inside `fused(fn)` an elementwise op returns a lazy tensor whose
 * storage holds its WGSL expression, inputs and scalars instead of a buffer, and an elementwise op
 * over lazy inputs substitutes their expressions into its own instead of dispatching. The first
 * use that needs the buffer (another kernel, a read, an in-place write of an input) evaluates the
 * composed expression: `x.mul(2).add(1).exp()` is one dispatch. `Module.compile()` runs a module's
 * forward this way.
 *
 * The rules, kept simple:
 * - Deferred: expressions computed and stored in float32 that read at least one input and no
 *   output coordinates; anything else (int32 ops, index-dependent ones) runs at once.
 * - Composed: a lazy input of the consumer's own shape (not broadcast, not a reshaped view) whose
 *   WGSL prelude agrees; the result reads at most 8 buffers and is at most 2,000 characters long.
 *   A lazy input that does not fit is evaluated first and read as a buffer, so a lazy tensor's
 *   own inputs always have buffers.
 * - A lazy tensor read by several consumers is recomputed inside each of them (elementwise work
 *   costs less than a round trip through memory); it is evaluated, once, only if something needs
 *   its buffer.
 * - A lazy tensor keeps its inputs' memory alive until it is evaluated (then freed) or disposed.
 * - A write in place (`runInPlace`: optimizer steps; `assign`) first evaluates the lazy tensors
 *   that read the written tensor, so they see the values they were made from.
 * - Outside `fused`, an elementwise op over lazy inputs composes them too and dispatches at once.
 * - Autograd: ops recorded inside `fused` run their derivative rules fused as well, so gradient
 *   chains compose (the saved lazy tensors are recomputed inside them, not evaluated apart).
 *
 * @module
 */
import { getDevice } from "../device/default_device.ts";
import type { DeviceBuffer } from "../device/device.ts";
import { elementwiseKernel } from "../../kernels/elementwise.ts";
import type { Deferred, Storage } from "../tensor/storage.ts";
import { type DType, Tensor } from "../tensor/tensor.ts";
import { broadcastStrides, sizeOf } from "../tensor/shape.ts";

let depth = 0;

/**
 * Runs `fn` with elementwise ops fused: each chain of them becomes one generated kernel, run when
 * its result is first needed (by another kernel, a read, or an in-place write of an input). The
 * values are those of the unfused ops. The mode is a counter, so regions nest; `fn` must be
 * synchronous (the mode is global). `Module.compile()` runs a module's forward this way.
 *
 * @example
 * ```ts
 * import { deviceStats, fused, tensor } from "lumen";
 * const x = tensor([0, 1]);
 * await x.data();
 * const before = deviceStats().dispatches;
 * const y = fused(() => x.mul(2).add(1).exp());
 * console.log(await y.data()); // ≈ Float32Array(2) [2.7183, 20.0855]
 * console.log(deviceStats().dispatches - before); // 1
 * ```
 */
export function fused<T>(fn: () => T): T {
  depth++;
  try {
    const out = fn();
    if (out instanceof Promise) {
      throw new Error("fused(fn) needs a synchronous fn: the mode would leak into other work");
    }
    return out;
  } finally {
    depth--;
  }
}

/**
 * Whether a `fused` region is running.
 *
 * @example
 * ```ts
 * import { fused, isFusing } from "lumen";
 * console.log(fused(() => isFusing()), isFusing()); // true false
 * ```
 */
export function isFusing(): boolean {
  return depth > 0;
}

/** Most buffers one fused expression reads (fewer where the device binds fewer). */
const MAX_INPUTS = 8;
/** Longest composed expression, in characters: a longer chain is cut into several kernels. */
const MAX_CHARS = 2000;
/** The inputs `x0, x1, ...` and scalars `s0, s1, ...` of an expression. */
const TOKEN = /\b([xs])(\d+)\b/g;
/** Expressions that read an input, and those that read the output coordinates or index. */
const READS_INPUT = /\bx\d/;
const READS_INDEX = /\bc\d|\bi\b/;

/** One buffer a fused expression reads, at `shape` broadcast to the output's. */
interface Leaf {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A float32 expression over leaves `x0, x1, ...` and scalars `s0, s1, ...`, not run yet. */
export class FusedExpr implements Deferred {
  /** The leaves' storages: retained by the lazy storage until it runs. */
  readonly inputs: readonly Storage[];

  /** An expression over `leaves` (all with buffers) giving a float32 tensor of `shape`. */
  constructor(
    readonly expr: string,
    readonly leaves: readonly Leaf[],
    readonly scalars: readonly number[],
    readonly shape: readonly number[],
    readonly prelude: string | undefined,
  ) {
    this.inputs = leaves.map((l) => l.storage);
  }

  /** One dispatch of the elementwise kernel into a fresh buffer. */
  run(): DeviceBuffer {
    const kernel = elementwiseKernel({
      expr: this.expr,
      inputs: this.leaves.map((l) => ({
        dtype: l.dtype,
        strides: broadcastStrides(l.shape, this.shape),
      })),
      outShape: this.shape,
      outDtype: "float32",
      computeType: "float32",
      prelude: this.prelude,
      scalars: this.scalars,
    });
    const device = getDevice();
    const out = device.alloc(sizeOf(this.shape) * 4);
    device.run(kernel, [...this.leaves.map((l) => l.storage.buffer), out]);
    return out;
  }
}

/** An elementwise op as `mapElementwise` receives it. */
export interface ElementwiseCall {
  /** WGSL over the inputs `x0, x1, ...` and the scalars `s0, s1, ...`. */
  readonly expr: string;
  readonly inputs: readonly Tensor[];
  readonly scalars: readonly number[];
  /** The output's shape (the inputs broadcast to it). */
  readonly shape: readonly number[];
  readonly prelude?: string;
}

/** Whether an op can be deferred and composed (see the module's rules). */
export function canFuse(
  expr: string,
  computeType: DType,
  outDtype: DType,
  shape: readonly number[],
): boolean {
  return computeType === "float32" && outDtype === "float32" && sizeOf(shape) > 0 &&
    READS_INPUT.test(expr) && !READS_INDEX.test(expr);
}

/** Whether `t` is a lazy tensor (false for a disposed one, which fails where it is used). */
export function isLazy(t: Tensor): boolean {
  return !t.disposed && t.storage.deferred !== null;
}

/**
 * The op as one tensor: lazy inside `fused`, evaluated at once outside (its lazy inputs composed
 * into the one dispatch either way).
 */
export function fuse(call: ElementwiseCall): Tensor {
  const out = Tensor.deferred(compose(call), call.shape, "float32");
  if (depth === 0) void out.buffer;
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The expression of a lazy input that can be substituted into `call`, or null. */
function inlinable(t: Tensor, call: ElementwiseCall): FusedExpr | null {
  const work = t.storage.deferred;
  if (!(work instanceof FusedExpr)) return null;
  return sameShape(t.shape, call.shape) && sameShape(work.shape, call.shape) ? work : null;
}

/** `call` with the expressions of its lazy inputs substituted, where they fit. */
function compose(call: ElementwiseCall): FusedExpr {
  const used = new Set<number>();
  for (const m of call.expr.matchAll(TOKEN)) if (m[1] === "x") used.add(Number(m[2]));
  let prelude = call.prelude;
  const inline = call.inputs.map((t, k) => {
    const work = used.has(k) ? inlinable(t, call) : null;
    if (!work || (work.prelude && prelude && work.prelude !== prelude)) return null;
    prelude ??= work.prelude;
    return work;
  });
  const maxLeaves = Math.min(
    MAX_INPUTS,
    (getDevice().info.maxStorageBuffersPerStage ?? MAX_INPUTS) - 2,
  );
  let built = substitute(call, inline);
  while (built.leaves.length > maxLeaves || built.expr.length > MAX_CHARS) {
    // Too big: evaluate the longest substituted input on its own, and read its buffer instead.
    let longest = -1;
    inline.forEach((w, k) => {
      if (w && (longest < 0 || w.expr.length > inline[longest]!.expr.length)) longest = k;
    });
    if (longest < 0) break;
    inline[longest] = null;
    built = substitute(call, inline);
  }
  // Lazy inputs left as leaves are evaluated now: a lazy tensor's leaves always have buffers.
  for (const leaf of built.leaves) void leaf.storage.buffer;
  return new FusedExpr(built.expr, built.leaves, built.scalars, call.shape, prelude);
}

/** The expression, leaves and scalars of `call` with `inline[k]` written in place of `xk`. */
function substitute(
  call: ElementwiseCall,
  inline: readonly (FusedExpr | null)[],
): { expr: string; leaves: Leaf[]; scalars: number[] } {
  const leaves: Leaf[] = [];
  const scalars = [...call.scalars];
  const leaf = (storage: Storage, shape: readonly number[], dtype: DType): string => {
    let i = leaves.findIndex((l) => l.storage === storage && sameShape(l.shape, shape));
    if (i < 0) i = leaves.push({ storage, shape, dtype }) - 1;
    return `x${i}`;
  };
  // Each substituted expression is written once, however often it is read (relu reads x0 twice).
  const texts = new Map<FusedExpr, string>();
  const input = (k: number): string => {
    const t = call.inputs[k];
    const work = inline[k];
    if (!work) return leaf(t.storage, t.shape, t.dtype);
    let text = texts.get(work);
    if (text === undefined) {
      const base = scalars.length;
      scalars.push(...work.scalars);
      text = "(" + work.expr.replace(TOKEN, (_, kind: string, n: string) => {
        if (kind === "s") return `s${base + Number(n)}`;
        const l = work.leaves[Number(n)];
        return leaf(l.storage, l.shape, l.dtype);
      }) + ")";
      texts.set(work, text);
    }
    return text;
  };
  const expr = call.expr.replace(
    TOKEN,
    (m: string, kind: string, n: string) => kind === "x" ? input(Number(n)) : m,
  );
  return { expr, leaves, scalars };
}
