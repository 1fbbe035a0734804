import assert from "node:assert/strict";
import { deviceInfo, deviceStats, optim, type Tensor, tensor } from "../../mod.ts";

/** Deterministic values in [-1, 1) (a small LCG), so every run sees the same numbers. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Two copies of parameters of these shapes with equal values. */
function twins(shapes: number[][]): [Tensor[], Tensor[]] {
  const make = () =>
    shapes.map((s, k) => tensor(values(size(s), 7 + k), { shape: s, requiresGrad: true }));
  return [make(), make()];
}

/** Gives every parameter of both copies the same gradient for step `step`. */
function setGrads(a: Tensor[], b: Tensor[], step: number): void {
  a.forEach((p, k) => {
    const g = values(p.size, 1000 * step + k);
    p.grad = tensor(g, { shape: p.shape });
    b[k].grad = tensor(g, { shape: p.shape });
  });
}

/** Storage buffers per stage, less the params binding, shared by tensors of `perTensor` each. */
function perDispatch(perTensor: number): number {
  return Math.floor((deviceInfo().maxStorageBuffersPerStage - 1) / perTensor);
}

async function assertSame(batched: Tensor[], alone: Tensor[]): Promise<void> {
  for (let k = 0; k < batched.length; k++) {
    assert.deepEqual(await batched[k].data(), await alone[k].data(), `parameter ${k}`);
  }
}

// The six parameters (weight and bias) of a three-layer MLP.
const MLP = [[7, 5], [7], [3, 7], [3], [1, 3], [1]];

Deno.test("optim Adam steps 6 parameters in ceil(6/K) dispatches, as each alone", async () => {
  const [batched, alone] = twins(MLP);
  const opt = new optim.Adam(batched, { lr: 0.05, weightDecay: 0.01 });
  const single = alone.map((p) => new optim.Adam([p], { lr: 0.05, weightDecay: 0.01 }));
  // grad, param, exp_avg, exp_avg_sq per parameter.
  const k = perDispatch(4);
  assert.ok(k >= 2, `expected room for 2+ parameters per dispatch, got ${k}`);
  for (let step = 0; step < 3; step++) {
    setGrads(batched, alone, step);
    const before = deviceStats().dispatches;
    opt.step();
    // The first step too: fresh moment buffers are read as zero, not zero-filled.
    assert.equal(deviceStats().dispatches - before, Math.ceil(6 / k), `step ${step}`);
    const start = deviceStats().dispatches;
    for (const o of single) o.step();
    assert.equal(deviceStats().dispatches - start, 6);
  }
  await assertSame(batched, alone);
  const state = opt.stateDict().state;
  assert.deepEqual(Object.keys(state), ["0", "1", "2", "3", "4", "5"]);
  assert.deepEqual((state[2].exp_avg as Tensor).shape, [3, 7]);
  assert.deepEqual(
    await (state[2].exp_avg as Tensor).data(),
    await (single[2].stateDict().state[0].exp_avg as Tensor).data(),
  );
});

Deno.test("optim SGD batches 20 parameters by group, each group's own rate", async () => {
  const shapes = Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? [k + 1, 3] : [k + 1]));
  const [batched, alone] = twins(shapes);
  const opt = new optim.SGD([
    { params: batched.slice(0, 13) },
    { params: batched.slice(13), lr: 0.3 },
  ], { lr: 0.1, momentum: 0.9, nesterov: true });
  const single = alone.map((p, i) =>
    new optim.SGD([p], { lr: i < 13 ? 0.1 : 0.3, momentum: 0.9, nesterov: true })
  );
  // grad, param, momentum_buffer per parameter.
  const k = perDispatch(3);
  for (let step = 0; step < 2; step++) {
    setGrads(batched, alone, step);
    const before = deviceStats().dispatches;
    opt.step();
    assert.equal(deviceStats().dispatches - before, Math.ceil(13 / k) + Math.ceil(7 / k));
    for (const o of single) o.step();
  }
  await assertSame(batched, alone);
});
