/**
 * Class labels out of range: targets made from host data (`tensor(Int32Array)`, a DataLoader
 * batch) carry their host-known range, and crossEntropy checks it without reading the device.
 */
import assert from "node:assert/strict";
import { data, datasets, F, nn, type Tensor, tensor, zeros } from "../../mod.ts";

const labels = (values: number[]) => tensor(Int32Array.from(values));

Deno.test("tensor(Int32Array) records the smallest and largest label; floats record none", () => {
  assert.deepEqual(labels([3, -1, 7, 0]).hostRange, { min: -1, max: 7 });
  assert.deepEqual(tensor([[2, 5]], { dtype: "int32" }).hostRange, { min: 2, max: 5 });
  assert.equal(tensor([1, 2]).hostRange, undefined);
  assert.equal(tensor(new Int32Array(0)).hostRange, undefined);
  // Device results are not known on the host; views keep their source's values and range.
  assert.equal(labels([1, 2]).add(1).hostRange, undefined);
  assert.deepEqual(labels([4, 1, 2, 3]).reshape([2, 2]).hostRange, { min: 1, max: 4 });
});

Deno.test("crossEntropy: a label of C is an error naming the label and C", () => {
  const logits = zeros([4, 10]);
  assert.throws(
    () => F.crossEntropy(logits, labels([0, 9, 10, 3])),
    (e: unknown) => {
      assert(e instanceof RangeError);
      assert.equal(
        e.message,
        "crossEntropy: target label 10 is out of range for 10 classes (labels must be in [0, 9])",
      );
      return true;
    },
  );
});

Deno.test("crossEntropy: a label of -1 is an error (ignoreIndex is -100 by default)", () => {
  assert.throws(
    () => F.crossEntropy(zeros([3, 10]), labels([0, -1, 2])),
    /^RangeError: crossEntropy: target label -1 is out of range for 10 classes \(labels must be in \[0, 9\]\)$/,
  );
  // The module form runs the same check, and so do [N, C, d] logits with [N, d] targets.
  assert.throws(
    () => new nn.CrossEntropyLoss().call(zeros([2, 3]), labels([3, 0])),
    /crossEntropy: target label 3 is out of range for 3 classes \(labels must be in \[0, 2\]\)/,
  );
  assert.throws(
    () => F.crossEntropy(zeros([1, 4, 2]), labels([0, 5]).reshape([1, 2])),
    /target label 5 is out of range for 4 classes/,
  );
});

Deno.test("crossEntropy: ignoreIndex labels are allowed, inside or outside [0, C)", async () => {
  const logits = tensor([[0, 0], [3, 1], [0, 5]]);
  // Only row 1 counts with the default ignoreIndex -100: -log softmax([3, 1])[0].
  const loss = await F.crossEntropy(logits, labels([-100, 0, -100])).item();
  const expected = Math.log(1 + Math.exp(-2));
  assert(Math.abs(loss - expected) < 1e-6, `expected ${expected}, got ${loss}`);
  const custom = await F.crossEntropy(logits, labels([2, 0, 2]), { ignoreIndex: 2 }).item();
  assert(Math.abs(custom - expected) < 1e-6, `expected ${expected}, got ${custom}`);
  const negative = await F.crossEntropy(logits, labels([-1, 0, -1]), { ignoreIndex: -1 }).item();
  assert(Math.abs(negative - expected) < 1e-6, `expected ${expected}, got ${negative}`);
  // An ignored label does not hide a bad one at the other end.
  assert.throws(
    () => F.crossEntropy(logits, labels([-100, 2, 0])),
    /target label 2 is out of range for 2 classes \(labels must be in \[0, 1\]\)/,
  );
  // Probability targets (float32) have no labels to check.
  const soft = F.crossEntropy(logits, tensor([[1, 0], [0.5, 0.5], [0, 1]]));
  assert(Number.isFinite(await soft.item()));
});

Deno.test("crossEntropy: DataLoader batches carry the range, so a bad label is caught", async () => {
  const n = 6;
  const dataset = new datasets.TensorDataset({
    tensors: [
      data.hostArray(new Float32Array(n * 3), [n, 3]),
      data.hostArray(Int32Array.from([0, 1, 2, 1, 3, 0]), [n]),
    ],
  });
  const loader = new data.DataLoader<[Tensor, Tensor]>({ dataset, batchSize: 3 });
  const seen: string[] = [];
  for await (const [x, y] of loader) {
    try {
      F.crossEntropy(x, y).dispose();
      seen.push("ok");
    } catch (e) {
      seen.push((e as Error).message);
    }
    x.dispose();
    y.dispose();
  }
  assert.deepEqual(seen, [
    "ok",
    "crossEntropy: target label 3 is out of range for 3 classes (labels must be in [0, 2])",
  ]);
});

Deno.test("crossEntropy: per-sample label tensors stacked by the collate keep the range", async () => {
  const samples = [[zeros([2]), labels([1])], [zeros([2]), labels([-1])]];
  const dataset = { length: 2, getItem: (i: number) => samples[i] };
  const loader = new data.DataLoader<[Tensor, Tensor]>({ dataset, batchSize: 2 });
  for await (const [x, y] of loader) {
    assert.deepEqual(y.hostRange, { min: -1, max: 1 });
    assert.throws(() => F.crossEntropy(x, y.reshape([2])), /target label -1 is out of range/);
  }
});
