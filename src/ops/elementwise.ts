/**
 * Elementwise ops and their derivative rules. Each forward is one generated kernel; each
 * backward rule is one fused kernel over the saved operands. Number operands (`x.mul(0.5)`,
 * clamp's bounds) are the kernel's scalars `s0, s1, ...`, passed per dispatch, so a new value
 * never compiles a new pipeline. Inside `fused` (ops/fusion.ts) the forwards and their rules
 * are deferred and chains of them compose into one kernel.
 */
import type { DType, Operand, Tensor } from "../tensor/tensor.ts";
import { mapElementwise, type MapOptions, record } from "./_run.ts";
import { sumToShape } from "./reduce.ts";

/** WGSL helpers: erf (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7) and pow with negative bases. */
export const MATH_PRELUDE = /* wgsl */ `
fn erf_(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
    + 0.254829592) * t * exp(-a * a);
  return select(y, -y, x < 0.0);
}
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a < 0.0 && b == floor(b)) {
    let r = pow(-a, b);
    return select(r, -r, (i32(b) & 1) != 0);
  }
  if (a == 0.0) { return select(0.0, bitcast<f32>(0x7f800000u), b < 0.0); }
  return pow(a, b);
}
`;

/** `mapElementwise` with the scalars `s0, s1, ...` (of the compute type) as a list. */
function mapScalars(
  expr: string,
  inputs: readonly Tensor[],
  scalars: readonly number[] = [],
  options: MapOptions = {},
): Tensor {
  return mapElementwise(expr, inputs, { ...options, scalars });
}

function isInt(v: Operand): boolean {
  return typeof v === "number" ? Number.isInteger(v) : v.dtype === "int32";
}

interface Binary {
  tensors: Tensor[];
  /** The number operand, as the kernel's `s0`. */
  scalars: number[];
  x: string;
  y: string;
  dtype: DType;
}

function operands(a: Tensor, b: Operand, intResult: boolean): Binary {
  const dtype: DType = intResult && isInt(a) && isInt(b) ? "int32" : "float32";
  if (typeof b === "number") return { tensors: [a], scalars: [b], x: "x0", y: "s0", dtype };
  return { tensors: [a, b], scalars: [], x: "x0", y: "x1", dtype };
}

/** Which operands of a binary op need a gradient: [a, b] (b is false for a plain number). */
type Needs = readonly [boolean, boolean];

/**
 * A binary op's derivative rule: the gradients, before un-broadcasting, of the operands that
 * `need` them (null for the others, which must not be computed). A rule may return `g` itself.
 */
type BinaryGrads = (g: Tensor, bt: Tensor | null, need: Needs) => [Tensor | null, Tensor | null];

/** Sums a gradient back to its operand's shape, freeing the broadcast one it reduced. */
function unbroadcast(grad: Tensor | null, shape: readonly number[], g: Tensor): Tensor | null {
  if (!grad) return null;
  const reduced = sumToShape(grad, shape);
  if (reduced !== grad && grad !== g) grad.dispose();
  return reduced;
}

function binary(
  name: string,
  a: Tensor,
  b: Operand,
  expr: (x: string, y: string) => string,
  intResult: boolean,
  grads: BinaryGrads,
  prelude?: string,
): Tensor {
  const op = operands(a, b, intResult);
  const out = mapScalars(expr(op.x, op.y), op.tensors, op.scalars, {
    computeType: op.dtype,
    prelude,
  });
  const bt = typeof b === "number" ? null : b;
  return record(out, name, op.tensors, (g) => {
    const [ga, gb] = grads(g, bt, [a.requiresGrad, !!bt?.requiresGrad]);
    const res = [unbroadcast(ga, a.shape, g)];
    if (bt) res.push(unbroadcast(gb, bt.shape, g));
    return res;
  });
}

/** a + b */
export function add(a: Tensor, b: Operand): Tensor {
  return binary("add", a, b, (x, y) => `${x} + ${y}`, true, (g, _, [na, nb]) => [
    na ? g : null,
    nb ? g : null,
  ]);
}

/** a - b */
export function sub(a: Tensor, b: Operand): Tensor {
  return binary("sub", a, b, (x, y) => `${x} - ${y}`, true, (g, _, [na, nb]) => [
    na ? g : null,
    nb ? unary("neg", g) : null,
  ]);
}

/** a * b */
export function mul(a: Tensor, b: Operand): Tensor {
  return binary("mul", a, b, (x, y) => `${x} * ${y}`, true, (g, bt, [na, nb]) => [
    na ? (bt ? mapScalars("x0 * x1", [g, bt]) : mapScalars("x0 * s0", [g], [b as number])) : null,
    nb ? mapScalars("x0 * x1", [g, a]) : null,
  ]);
}

/** a / b (true division) */
export function div(a: Tensor, b: Operand): Tensor {
  return binary("div", a, b, (x, y) => `${x} / ${y}`, false, (g, bt, [na, nb]) => [
    na ? (bt ? mapScalars("x0 / x1", [g, bt]) : mapScalars("x0 / s0", [g], [b as number])) : null,
    nb ? mapScalars("-x0 * x1 / (x2 * x2)", [g, a, bt!]) : null,
  ]);
}

/** a ** b */
export function pow(a: Tensor, b: Operand): Tensor {
  return binary(
    "pow",
    a,
    b,
    (x, y) => `pow_(${x}, ${y})`,
    false,
    (g, bt, [na, nb]) => {
      const y = bt ? "x2" : "s0";
      const ins = bt ? [g, a, bt] : [g, a];
      const scalars = bt ? [] : [b as number];
      const ga = na
        ? mapScalars(`x0 * ${y} * pow_(x1, ${y} - 1.0)`, ins, scalars, { prelude: MATH_PRELUDE })
        : null;
      const gb = nb
        ? mapScalars(
          "select(x0 * pow_(x1, x2) * log(x1), 0.0, x1 == 0.0 && x2 >= 0.0)",
          [g, a, bt!],
          [],
          { prelude: MATH_PRELUDE },
        )
        : null;
      return [ga, gb];
    },
    MATH_PRELUDE,
  );
}

function extremum(name: string, a: Tensor, b: Operand, fn: "max" | "min"): Tensor {
  const wins = fn === "max" ? ">" : "<";
  return binary(name, a, b, (x, y) => `${fn}(${x}, ${y})`, true, (g, bt, [na, nb]) => {
    const y = bt ? "x2" : "s0";
    const ins = bt ? [g, a, bt] : [g, a];
    const scalars = bt ? [] : [b as number];
    const pick = (self: string, other: string) =>
      `select(select(0.0, x0 * 0.5, ${self} == ${other}), x0, ${self} ${wins} ${other})`;
    return [
      na ? mapScalars(pick("x1", y), ins, scalars) : null,
      nb ? mapScalars(pick(y, "x1"), ins, scalars) : null,
    ];
  });
}

/** Elementwise maximum; ties split the gradient, as torch does. */
export function maximum(a: Tensor, b: Operand): Tensor {
  return extremum("maximum", a, b, "max");
}

/** Elementwise minimum. */
export function minimum(a: Tensor, b: Operand): Tensor {
  return extremum("minimum", a, b, "min");
}

/** Comparison giving 1.0 or 0.0 (float32); no gradient. */
export function compare(op: "==" | ">" | "<", a: Tensor, b: Operand): Tensor {
  const o = operands(a, b, true);
  return mapScalars(`select(0.0, 1.0, ${o.x} ${op} ${o.y})`, o.tensors, o.scalars, {
    computeType: o.dtype,
    outDtype: "float32",
  });
}

/**
 * Clamp into [lo, hi] as torch does: min(max(x, lo), hi), so lo > hi gives hi everywhere. The
 * gradient passes where lo <= x <= hi. An int32 tensor with integer bounds stays int32.
 */
export function clamp(a: Tensor, lo: number, hi: number): Tensor {
  const dtype: DType = isInt(a) && isInt(lo) && isInt(hi) ? "int32" : "float32";
  const out = mapScalars("min(max(x0, s0), s1)", [a], [lo, hi], { computeType: dtype });
  return record(out, "clamp", [a], (g) => [
    mapScalars("select(0.0, x0, x1 >= s0 && x1 <= s1)", [g, a], [lo, hi]),
  ]);
}

/** Conversion to another dtype; float → int truncates toward zero. */
export function cast(a: Tensor, dtype: DType): Tensor {
  const out = mapElementwise("x0", [a], { computeType: dtype, outDtype: dtype });
  if (dtype !== "float32") return out;
  return record(out, "cast", [a], (g) => [g]);
}

/** Unary op names. */
export type UnaryName =
  | "neg"
  | "exp"
  | "log"
  | "sqrt"
  | "abs"
  | "relu"
  | "sigmoid"
  | "tanh"
  | "gelu";

interface UnaryRule {
  /** Forward expression of `x0`. */
  f: string;
  /** Backward expression of the gradient `x0`, the input `x1` and the output `x2`. */
  df: string;
  /** Whether an int32 input stays int32. */
  int?: boolean;
}

const SQRT1_2 = "0.7071067811865476";
const INV_SQRT_2PI = "0.3989422804014327";

/** One line per op: forward and derivative, as tinygrad's gradient table. */
const UNARY: Record<UnaryName, UnaryRule> = {
  neg: { f: "-x0", df: "-x0", int: true },
  exp: { f: "exp(x0)", df: "x0 * x2" },
  log: { f: "log(x0)", df: "x0 / x1" },
  sqrt: { f: "sqrt(x0)", df: "x0 / (2.0 * x2)" },
  abs: { f: "abs(x0)", df: "x0 * sign(x1)", int: true },
  relu: { f: "max(x0, x0 - x0)", df: "select(0.0, x0, x1 > 0.0)", int: true },
  sigmoid: { f: "1.0 / (1.0 + exp(-x0))", df: "x0 * x2 * (1.0 - x2)" },
  tanh: { f: "tanh(clamp(x0, -20.0, 20.0))", df: "x0 * (1.0 - x2 * x2)" },
  gelu: {
    f: `0.5 * x0 * (1.0 + erf_(x0 * ${SQRT1_2}))`,
    df: `x0 * (0.5 * (1.0 + erf_(x1 * ${SQRT1_2})) + x1 * ${INV_SQRT_2PI} * exp(-0.5 * x1 * x1))`,
  },
};

/** Applies a unary op from the table. */
export function unary(name: UnaryName, a: Tensor): Tensor {
  const rule = UNARY[name];
  const dtype: DType = rule.int && a.dtype === "int32" ? "int32" : "float32";
  const out = mapElementwise(rule.f, [a], { computeType: dtype, prelude: MATH_PRELUDE });
  return record(out, name, [a], (g) => [
    mapElementwise(rule.df, [g, a, out], { prelude: MATH_PRELUDE }),
  ]);
}
