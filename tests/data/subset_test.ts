import assert from "node:assert/strict";
import { data, datasets } from "../../mod.ts";

const base = (n: number) =>
  new datasets.TensorDataset({
    tensors: [data.hostArray(Int32Array.from({ length: n }, (_, i) => i), [n])],
  });

Deno.test("KFold folds are disjoint, cover the dataset, and train = the rest", () => {
  for (const [n, k] of [[23, 5], [10, 2], [7, 7]]) {
    const ds = base(n);
    const seen: number[] = [];
    for (let fold = 0; fold < k; fold++) {
      const val = new datasets.KFold({ dataset: ds, k, fold, seed: 4, train: false });
      const train = new datasets.KFold({ dataset: ds, k, fold, seed: 4 });
      assert(val.length === Math.floor(n / k) || val.length === Math.ceil(n / k));
      assert.equal(train.length + val.length, n);
      const v = new Set(val.indices), t = new Set(train.indices);
      assert.equal(v.size + t.size, n);
      for (const i of v) assert(!t.has(i), `index ${i} in both sides of fold ${fold}`);
      seen.push(...v);
    }
    assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  }
  const again = new datasets.KFold({ dataset: base(23), k: 5, fold: 3, seed: 4 }).indices;
  assert.deepEqual(
    again,
    new datasets.KFold({ dataset: base(23), k: 5, fold: 3, seed: 4 }).indices,
  );
  assert.throws(
    () => new datasets.KFold({ dataset: base(5), k: 5, fold: 5 }),
    /fold must be an integer in \[0, 4\]/,
  );
});

Deno.test("Subset and randomSplit", async () => {
  const sub = new datasets.Subset({ dataset: base(5), indices: [4, 1] });
  assert.deepEqual(await sub.getItem(0), [4]);
  assert.throws(() => sub.getItem(2), /Subset has 2 samples; index 2 is out of range/);
  const parts = datasets.randomSplit({ dataset: base(10), lengths: [0.7, 0.3], seed: 1 });
  assert.deepEqual(parts.map((p) => p.length), [7, 3]);
  const all = [...parts[0].indices, ...parts[1].indices].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 10 }, (_, i) => i));
  assert.throws(
    () => datasets.randomSplit({ dataset: base(10), lengths: [3, 3] })[0].length,
    /must be counts summing/,
  );
});
