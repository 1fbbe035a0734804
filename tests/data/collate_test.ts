import assert from "node:assert/strict";
import { data, type Tensor, tensor } from "../../mod.ts";

Deno.test("collateHost: numbers, typed arrays, nested arrays/objects, null, strings", () => {
  const b = data.collateHost([
    { x: new Float32Array([1, 2]), y: 3, w: 0.5, m: null, s: "a", t: [1, [true]] },
    { x: new Float32Array([4, 5]), y: 1, w: 2, m: null, s: "b", t: [2, [false]] },
  ]) as Record<string, unknown>;
  assert.deepEqual(b.x, { data: new Float32Array([1, 2, 4, 5]), shape: [2, 2] });
  assert.deepEqual(b.y, { data: new Int32Array([3, 1]), shape: [2] });
  assert.deepEqual(b.w, { data: new Float32Array([0.5, 2]), shape: [2] });
  assert.equal(b.m, null);
  assert.deepEqual(b.s, ["a", "b"]);
  assert.deepEqual(b.t, [{ data: new Int32Array([1, 2]), shape: [2] }, [{
    data: new Int32Array([1, 0]),
    shape: [2],
  }]]);
});

Deno.test("collate errors name the position and what differs", () => {
  const a = data.hostArray(new Float32Array(4), [2, 2]);
  const c = data.hostArray(new Float32Array(3), [3]);
  assert.throws(
    () => data.collateHost([[a, 1], [c, 2]]),
    /Cannot collate batch\[0\]: sample 1 is a host array \[3\]/,
  );
  assert.throws(
    () => data.collateHost([{ k: 1 }, { j: 1 }]),
    /sample 1 has keys \[j\] but sample 0 has \[k\]/,
  );
  assert.throws(() => data.collateHost([null, 1]), /sample 0 is null but others are not/);
  assert.throws(() => data.collateHost([]), /empty list/);
});

Deno.test("defaultCollate uploads one tensor per field with int32 labels", async () => {
  const [x, y] = data.defaultCollate([
    [data.hostArray(new Float32Array([1, 2, 3]), [3, 1]), 7],
    [data.hostArray(new Float32Array([4, 5, 6]), [3, 1]), 2],
  ]) as [Tensor, Tensor];
  assert.deepEqual(x.shape, [2, 3, 1]);
  assert.deepEqual(Array.from(await x.data()), [1, 2, 3, 4, 5, 6]);
  assert.equal(y.dtype, "int32");
  assert.deepEqual(Array.from(await y.data()), [7, 2]);
  const u = data.defaultCollate([
    data.hostArray(new Uint8Array([0, 255, 7]), [3]),
    data.hostArray(new Uint8Array([1, 2, 3]), [3]),
  ]) as Tensor;
  assert.equal(u.dtype, "float32");
  assert.deepEqual(Array.from(await u.data()), [0, 255, 7, 1, 2, 3]);
});

Deno.test("defaultCollate stacks device tensors (more than one dispatch's worth)", async () => {
  const items = Array.from({ length: 17 }, (_, i) => tensor([i, i + 0.5]));
  const s = data.defaultCollate(items) as Tensor;
  assert.deepEqual(s.shape, [17, 2]);
  assert.deepEqual(Array.from(await s.data()), items.flatMap((_, i) => [i, i + 0.5]));
  const ints = data.defaultCollate([
    tensor(new Int32Array([1])),
    tensor(new Int32Array([2])),
  ]) as Tensor;
  assert.equal(ints.dtype, "int32");
  assert.throws(
    () => data.defaultCollate([tensor([1]), tensor([1, 2])]),
    /sample 1 is a tensor \[2\]/,
  );
});
