import assert from "node:assert/strict";
import { nn, optim, tensor, zeros } from "../../mod.ts";
import { assign } from "../../src/ops/assign.ts";
import { empty, launch } from "../../src/ops/_run.ts";
import { maxPool2dForwardKernel } from "../../kernels/pool.ts";

Deno.test("assign copies the values into the same tensor, seen through its views", async () => {
  const target = zeros([2, 2]);
  const view = target.reshape([4]);
  const out = assign(target, tensor([1, 2, 3, 4]));
  assert.equal(out, target);
  assert.deepEqual(Array.from(await target.data()), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(await view.data()), [1, 2, 3, 4]);
});

Deno.test("assign refuses another dtype or another number of elements", () => {
  assert.throws(
    () => assign(zeros([3]), tensor(new Int32Array([1, 2, 3]))),
    /assign: cannot copy a int32 tensor of shape \[3\] into a float32 tensor of shape \[3\]/,
  );
  assert.throws(
    () => assign(zeros([2, 2]), tensor([1, 2, 3])),
    /of shape \[3\] into a float32 tensor of shape \[2,2\]; expected the same dtype and number/,
  );
});

Deno.test("assign carries the source's host-known range, or drops the target's", async () => {
  const labels = tensor(new Int32Array([0, 0]));
  assert.deepEqual(labels.hostRange, { min: 0, max: 0 });
  assign(labels, tensor(new Int32Array([3, 7])));
  assert.deepEqual(labels.hostRange, { min: 3, max: 7 });
  assign(labels, labels.add(1));
  assert.equal(labels.hostRange, undefined);
  assert.deepEqual(Array.from(await labels.data()), [4, 8]);
});

Deno.test("assign onto a view of the same memory keeps the values", async () => {
  const x = tensor([5, 6]);
  assign(x, x.reshape([1, 2]));
  assert.deepEqual(Array.from(await x.data()), [5, 6]);
});

Deno.test("launch allocates every output and binds them after the inputs", async () => {
  const x = tensor([[[[1, 2, 5, 3], [4, 0, 1, 1]]]]);
  const geometry = {
    planes: 1,
    height: 2,
    width: 4,
    kernelH: 2,
    kernelW: 2,
    strideH: 2,
    strideW: 2,
    padH: 0,
    padW: 0,
    dilationH: 1,
    dilationW: 1,
    outH: 1,
    outW: 2,
  };
  const [values, indices] = launch(maxPool2dForwardKernel(geometry), [x], [
    { shape: [1, 1, 1, 2] },
    { shape: [1, 1, 1, 2], dtype: "int32" },
  ]);
  assert.equal(values.dtype, "float32");
  assert.equal(indices.dtype, "int32");
  assert.deepEqual(Array.from(await values.data()), [4, 5]);
  // Flat positions in the 2x4 plane of each window's maximum.
  assert.deepEqual(Array.from(await indices.data()), [4, 2]);
  assert.deepEqual(empty([0], "int32").shape, [0]);
});

Deno.test("loadStateDict, BatchNorm's counter and optimizer state go through assign", async () => {
  const layer = new nn.Linear({ inFeatures: 2, outFeatures: 1 });
  const weight = layer.weight;
  layer.loadStateDict({ weight: tensor([[3, 4]]), bias: tensor([0.5]) });
  assert.equal(layer.weight, weight);
  assert.deepEqual(Array.from(await weight.data()), [3, 4]);
  const bn = new nn.BatchNorm1d({ numFeatures: 1 });
  bn.forward(tensor([[1], [2]]));
  bn.forward(tensor([[1], [2]]));
  assert.deepEqual(Array.from(await bn.numBatchesTracked!.data()), [2]);
  const w = tensor([1, 2], { requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
  w.mul(w).sum().backward();
  opt.step();
  const saved = opt.stateDict();
  const restored = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
  restored.loadStateDict(saved);
  const buf = restored.stateDict().state[0].momentum_buffer as ReturnType<typeof tensor>;
  assert.notEqual(buf, saved.state[0].momentum_buffer);
  assert.deepEqual(Array.from(await buf.data()), [2, 4]);
});
