/** Test helpers: torch fixtures and close-enough comparisons. */
import { type DType, type Tensor, tensor } from "../mod.ts";

/** A tensor as the fixture scripts write it. */
export interface FixtureTensor {
  shape: number[];
  dtype: DType;
  data: number[];
}

/** One case written by `_common.case` in tests/fixtures. */
export interface FixtureCase {
  op: string;
  args: Record<string, unknown>;
  inputs: FixtureTensor[];
  requires_grad: boolean[];
  output: FixtureTensor;
  grad_output?: FixtureTensor;
  grads?: (FixtureTensor | null)[];
  [extra: string]: unknown;
}

const cache = new Map<string, unknown>();

/** Reads tests/fixtures/<name>.json. */
export async function loadFixtures<T = Record<string, FixtureCase>>(name: string): Promise<T> {
  if (!cache.has(name)) {
    const url = new URL(`./fixtures/${name}.json`, import.meta.url);
    cache.set(name, JSON.parse(await Deno.readTextFile(url)));
  }
  return cache.get(name) as T;
}

/** A device tensor from a fixture tensor. */
export function fromFixture(t: FixtureTensor, requiresGrad = false): Tensor {
  return tensor(t.dtype === "int32" ? new Int32Array(t.data) : new Float32Array(t.data), {
    shape: t.shape,
    dtype: t.dtype,
    requiresGrad,
  });
}

/** Tolerances of `assertClose`: |a - e| <= atol + rtol * |e|. */
export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Asserts a tensor (or flat values) equals the expected values and shape within tolerance. */
export async function assertClose(
  actual: Tensor | ArrayLike<number>,
  expected: FixtureTensor | ArrayLike<number>,
  what: string,
  tol: Tolerance = {},
): Promise<void> {
  const rtol = tol.rtol ?? 1e-4, atol = tol.atol ?? 1e-5;
  const exp = "data" in expected && "shape" in expected
    ? (expected as FixtureTensor).data
    : Array.from(expected as ArrayLike<number>);
  let got: ArrayLike<number>;
  if ("shape" in actual && "data" in actual && typeof actual.data === "function") {
    const t = actual as Tensor;
    if ("shape" in expected && !Array.isArray(expected)) {
      const es = (expected as FixtureTensor).shape;
      if (t.shape.length !== es.length || t.shape.some((d, i) => d !== es[i])) {
        throw new Error(`${what}: shape [${t.shape}] != expected [${es}]`);
      }
    }
    got = await t.data();
  } else got = actual as ArrayLike<number>;
  if (got.length !== exp.length) {
    throw new Error(`${what}: ${got.length} values, expected ${exp.length}`);
  }
  let worst = -1, worstErr = 0;
  for (let i = 0; i < exp.length; i++) {
    const a = got[i], e = exp[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const err = Math.abs(a - e);
    if (!(err <= atol + rtol * Math.abs(e))) {
      if (worst < 0 || err > worstErr) [worst, worstErr] = [i, err];
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: element ${worst} is ${got[worst]}, expected ${
        exp[worst]
      } (|diff| ${worstErr}, rtol ${rtol}, atol ${atol})`,
    );
  }
}

/**
 * Back-propagates the fixture's output gradient from `out` and compares each input's gradient
 * with torch's (inputs torch gave no gradient are skipped).
 */
export async function assertGradsMatch(
  name: string,
  c: FixtureCase,
  inputs: readonly Tensor[],
  out: Tensor,
): Promise<void> {
  if (!c.grad_output || !c.grads) return;
  out.backward(fromFixture(c.grad_output));
  for (let i = 0; i < inputs.length; i++) {
    const expected = c.grads[i];
    if (!expected) continue;
    const grad = inputs[i].grad;
    if (!grad) throw new Error(`${name}: input ${i} has no gradient`);
    await assertClose(grad, expected, `${name} grad of input ${i}`);
  }
}
