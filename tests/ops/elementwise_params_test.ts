/**
 * Scalars and shapes reach the elementwise kernels as per-dispatch params: new values and new
 * sizes of the same rank reuse one pipeline, and the results stay exact.
 */
import assert from "node:assert/strict";
import { deviceStats, randn, type Tensor, tensor } from "../../mod.ts";
import { collapseDims } from "../../kernels/elementwise.ts";
import { assertClose } from "../_helpers.ts";

/** Pipelines compiled while `fn` runs (and its results are read). */
async function compiled(fn: () => Promise<void>): Promise<number> {
  const before = deviceStats().pipelines;
  await fn();
  return deviceStats().pipelines - before;
}

/** Host values of the f32 inputs used below: exact in float32. */
function f32(values: number[]): Float32Array {
  return new Float32Array(values);
}

const X = [1.5, -2.25, 3.1, 0, -0, 7e-3, 1e20, -65504];

Deno.test("x.mul(s) for 50 values of s compiles one pipeline; each result is the f32 product", async () => {
  const x = tensor(f32(X));
  await x.data();
  const scalars = Array.from({ length: 50 }, (_, k) => (k - 25) * 0.37 + k / 1000);
  scalars[3] = Infinity;
  scalars[4] = -0;
  scalars[5] = 1e-30;
  const results: Tensor[] = [];
  const n = await compiled(async () => {
    for (const s of scalars) results.push(x.mul(s));
    await results[results.length - 1].data();
  });
  // One, or none when an earlier test compiled this multiply already.
  assert.ok(n <= 1, `compiled ${n} pipelines for 50 scalars`);
  const xs = await x.data();
  for (let k = 0; k < scalars.length; k++) {
    const got = await results[k].data();
    const s = Math.fround(scalars[k]);
    // f32 × f32 is exact in a double; fround gives the correctly rounded f32 product.
    const want = Array.from(xs, (v) => Math.fround(v * s));
    assert.deepEqual(Array.from(got), want, `x * ${scalars[k]}`);
    results[k].dispose();
  }
  x.dispose();
});

Deno.test("scalar ops and their backward rules reuse one pipeline per op across values", async () => {
  const x = tensor(f32([0.5, 1.5, 2.5, -1]), { requiresGrad: true });
  const run = async (s: number) => {
    const parts = [x.add(s), x.sub(s), x.div(s), x.pow(s), x.maximum(s), x.minimum(s)];
    parts.push(x.clamp(-s, s), x.gt(s), x.lt(s), x.eq(s));
    let total = parts[0].sum();
    for (const p of parts.slice(1, 7)) total = total.add(p.sum());
    total.backward();
    await x.grad!.data();
    for (const p of parts) p.dispose();
    total.dispose();
    x.grad!.dispose();
    x.grad = null;
  };
  await run(2);
  assert.equal(await compiled(() => run(3)), 0);
  assert.equal(await compiled(() => run(0.75)), 0);
  // The scalar's values do arrive: x.clamp(-1, 1) and x.pow(3) at a second value.
  assert.deepEqual(Array.from(await x.clamp(-1, 1).data()), [0.5, 1, 1, -1]);
  // pow is exp2(b * log2(a)): a few ulps off.
  await assertClose(x.pow(3), [0.125, 3.375, 15.625, -1], "x ** 3", { rtol: 1e-6, atol: 0 });
});

Deno.test("int32 tensors with integer scalars stay int32 and share a pipeline across values", async () => {
  const x = tensor(Int32Array.from([7, -3, 0, 2147483600]));
  const n = await compiled(async () => {
    for (const s of [1, 5, -9, 40]) {
      const y = x.add(s);
      assert.equal(y.dtype, "int32");
      assert.deepEqual(Array.from(await y.data()), [7 + s, -3 + s, s, 2147483600 + s]);
      y.dispose();
    }
  });
  assert.ok(n <= 1, `compiled ${n} pipelines`);
  const c = x.clamp(-2, 10);
  assert.equal(c.dtype, "int32");
  assert.deepEqual(Array.from(await c.data()), [7, -2, 0, 10]);
});

Deno.test("the same op at another size or batch of the same rank reuses its pipeline", async () => {
  const flat = async (n: number) => {
    const a = tensor(Float32Array.from({ length: n }, (_, i) => i * 0.5));
    const b = tensor(Float32Array.from({ length: n }, (_, i) => 1 - i));
    const y = a.add(b);
    const got = await y.data();
    for (let i = 0; i < n; i++) assert.equal(got[i], Math.fround(i * 0.5 + (1 - i)));
    for (const t of [a, b, y]) t.dispose();
  };
  await flat(3);
  assert.equal(await compiled(() => flat(100)), 0);
  assert.equal(await compiled(() => flat(70_000)), 0);
  // A bias over rows: [batch, 16] + [16], for three batch sizes.
  const bias = tensor(Float32Array.from({ length: 16 }, (_, j) => j * 0.25));
  const rows = async (batch: number) => {
    const m = tensor(Float32Array.from({ length: batch * 16 }, (_, i) => i), {
      shape: [batch, 16],
    });
    const y = m.add(bias);
    const got = await y.data();
    for (let i = 0; i < batch * 16; i++) assert.equal(got[i], Math.fround(i + (i % 16) * 0.25));
    m.dispose();
    y.dispose();
  };
  await rows(4);
  assert.equal(await compiled(() => rows(64)), 0);
  assert.equal(await compiled(() => rows(512)), 0);
});

Deno.test("broadcasts and transposes index correctly through strides in params", async () => {
  // [2, 1, 3] * [4, 1]: strides with zeros on both sides.
  const a = tensor(f32([1, 2, 3, 4, 5, 6]), { shape: [2, 1, 3] });
  const b = tensor(f32([10, 20, 30, 40]), { shape: [4, 1] });
  const y = a.mul(b);
  assert.deepEqual(y.shape, [2, 4, 3]);
  const want: number[] = [];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 4; j++) {
      for (let k = 0; k < 3; k++) want.push((i * 3 + k + 1) * (j + 1) * 10);
    }
  }
  assert.deepEqual(Array.from(await y.data()), want);
  const t = randn([3, 5, 7]);
  const p = t.permute(2, 0, 1);
  const host = await t.data(), got = await p.data();
  for (let c = 0; c < 7; c++) {
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 5; j++) assert.equal(got[c * 15 + i * 5 + j], host[i * 35 + j * 7 + c]);
    }
  }
});

Deno.test("collapseDims drops size-1 dims and merges dims every input walks alike", () => {
  // Contiguous inputs: one dimension at any rank.
  assert.deepEqual(collapseDims([2, 3, 4], [[12, 4, 1], [12, 4, 1]]), {
    shape: [24],
    strides: [[1], [1]],
  });
  // A channel bias over NCHW: H and W merge, N and C stay apart.
  assert.deepEqual(collapseDims([8, 3, 5, 5], [[75, 25, 5, 1], [0, 1, 0, 0]]), {
    shape: [8, 3, 25],
    strides: [[75, 25, 1], [0, 1, 0]],
  });
  // Size-1 dimensions go; a transpose keeps both dimensions.
  assert.deepEqual(collapseDims([1, 4, 1, 6], [[24, 1, 24, 4]]), {
    shape: [4, 6],
    strides: [[1, 4]],
  });
  assert.deepEqual(collapseDims([1, 1], [[1, 1]]), { shape: [], strides: [[]] });
});
