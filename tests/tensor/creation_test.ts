import assert from "node:assert/strict";
import { arange, full, manualSeed, ones, rand, randn, tensor, zeros } from "../../mod.ts";

Deno.test("tensor() infers shape and dtype from nested arrays and typed arrays", async () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(x.shape, [2, 3]);
  assert.equal(x.dtype, "float32");
  assert.deepEqual(Array.from(await x.data()), [1, 2, 3, 4, 5, 6]);
  const y = tensor(new Int32Array([3, -1]));
  assert.equal(y.dtype, "int32");
  assert.deepEqual(Array.from(await y.data()), [3, -1]);
  const z = tensor(new Float32Array(6), { shape: [3, 2], requiresGrad: true });
  assert.deepEqual(z.shape, [3, 2]);
  assert.equal(z.requiresGrad, true);
  assert.deepEqual(await tensor([[1, 2], [3, 4]]).array(), [[1, 2], [3, 4]]);
});

Deno.test("tensor() rejects ragged arrays and shapes that do not fit", () => {
  assert.throws(() => tensor([[1, 2], [3]]), /ragged nested array/);
  assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), /3 values do not fill shape \[2,2\]/);
});

Deno.test("zeros, ones, full and arange", async () => {
  assert.deepEqual(Array.from(await zeros([2, 2]).data()), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(await ones([3]).data()), [1, 1, 1]);
  assert.deepEqual(Array.from(await full([2], -2.5).data()), [-2.5, -2.5]);
  const a = arange(5);
  assert.equal(a.dtype, "int32");
  assert.deepEqual(Array.from(await a.data()), [0, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(await arange(1, 2, 0.25).data()), [1, 1.25, 1.5, 1.75]);
  assert.deepEqual(Array.from(await arange(5, 0, -2).data()), [5, 3, 1]);
  assert.equal(zeros([0, 3]).size, 0);
  assert.deepEqual(Array.from(await zeros([0, 3]).data()), []);
});

Deno.test("rand and randn are seeded, reproducible and have the right statistics", async () => {
  manualSeed(42);
  const a = await rand([50_000]).data();
  const b = await randn([50_000]).data();
  manualSeed(42);
  assert.deepEqual(await rand([50_000]).data(), a);
  assert.deepEqual(await randn([50_000]).data(), b);
  manualSeed(43);
  assert.notDeepEqual(await rand([8]).data(), a.slice(0, 8));
  assert.ok(a.every((v) => v >= 0 && v < 1));
  const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, v) => s + v, 0) / xs.length;
  const variance = (xs: ArrayLike<number>) => {
    const m = mean(xs);
    return Array.from(xs).reduce((s, v) => s + (v - m) ** 2, 0) / xs.length;
  };
  assert.ok(Math.abs(mean(a) - 0.5) < 0.01, `uniform mean ${mean(a)}`);
  assert.ok(Math.abs(variance(a) - 1 / 12) < 0.003, `uniform variance ${variance(a)}`);
  assert.ok(Math.abs(mean(b)) < 0.02, `normal mean ${mean(b)}`);
  assert.ok(Math.abs(variance(b) - 1) < 0.03, `normal variance ${variance(b)}`);
});
