/**
 * Backward rules compute only the gradients their inputs need and free what they make: counted in
 * dispatches (`deviceStats().dispatches`) and live device buffers (`memory().liveBuffers`) around
 * one `backward()` with an explicit output gradient (a view of the seed: no dispatch of its own).
 */
import assert from "node:assert/strict";
import { deviceStats, memory, randn, type Tensor } from "../../mod.ts";

interface BackwardCost {
  dispatches: number;
  /** Buffers alive after backward minus before: the leaves' new gradients, nothing else. */
  newBuffers: number;
}

/** Builds `f(a, b)` and measures its backward alone. */
function backwardCost(
  f: (a: Tensor, b: Tensor) => Tensor,
  shapes: [number[], number[]],
  needs: [boolean, boolean],
): BackwardCost & { a: Tensor; b: Tensor } {
  const a = randn(shapes[0], { requiresGrad: needs[0] });
  const b = randn(shapes[1], { requiresGrad: needs[1] });
  const out = f(a, b);
  const seed = randn([...out.shape]);
  const dispatches = deviceStats().dispatches, live = memory().liveBuffers;
  out.backward(seed);
  return {
    dispatches: deviceStats().dispatches - dispatches,
    newBuffers: memory().liveBuffers - live,
    a,
    b,
  };
}

const matmul = (a: Tensor, b: Tensor) => a.matmul(b);

Deno.test("x.matmul(w) backward runs one product per operand that requires grad", () => {
  const xOnly = backwardCost(matmul, [[6, 8], [8, 12]], [true, false]);
  assert.deepEqual([xOnly.dispatches, xOnly.newBuffers], [1, 1]);
  assert.notEqual(xOnly.a.grad, null);
  assert.equal(xOnly.b.grad, null);
  const wOnly = backwardCost(matmul, [[6, 8], [8, 12]], [false, true]);
  assert.deepEqual([wOnly.dispatches, wOnly.newBuffers], [1, 1]);
  assert.equal(wOnly.a.grad, null);
  const both = backwardCost(matmul, [[6, 8], [8, 12]], [true, true]);
  assert.deepEqual([both.dispatches, both.newBuffers], [2, 2]);
});

Deno.test("a broadcast matmul operand's gradient is summed over the batch and the product freed", () => {
  // dx = Σ_batch g · wᵀ: one product, one reduction; the [3, 5, 8] product must not stay alive.
  const xOnly = backwardCost(matmul, [[5, 8], [3, 8, 4]], [true, false]);
  assert.deepEqual([xOnly.dispatches, xOnly.newBuffers], [2, 1]);
  assert.deepEqual(xOnly.a.grad!.shape, [5, 8]);
  const wOnly = backwardCost(matmul, [[3, 5, 8], [8, 4]], [false, true]);
  assert.deepEqual([wOnly.dispatches, wOnly.newBuffers], [2, 1]);
});

const BINARY: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  pow: (a, b) => a.pow(b),
  maximum: (a, b) => a.maximum(b),
  minimum: (a, b) => a.minimum(b),
};

for (const [name, f] of Object.entries(BINARY)) {
  Deno.test(`${name} backward computes only the needed operand's gradient and frees the rest`, () => {
    // Same shapes: one fused kernel per gradient.
    const aOnly = backwardCost(f, [[3, 4], [3, 4]], [true, false]);
    const bOnly = backwardCost(f, [[3, 4], [3, 4]], [false, true]);
    const both = backwardCost(f, [[3, 4], [3, 4]], [true, true]);
    assert.deepEqual([aOnly.dispatches, aOnly.newBuffers], [1, 1]);
    assert.deepEqual([bOnly.dispatches, bOnly.newBuffers], [1, 1]);
    assert.deepEqual([both.dispatches, both.newBuffers], [2, 2]);
    assert.equal(aOnly.b.grad, null);
    assert.equal(bOnly.a.grad, null);
    // Broadcast b: its gradient is summed over the rows, and the unsummed one freed.
    const wide = backwardCost(f, [[3, 4], [4]], [false, true]);
    assert.deepEqual([wide.dispatches, wide.newBuffers], [2, 1]);
    assert.deepEqual(wide.b.grad!.shape, [4]);
  });
}

Deno.test("add and sub pass the gradient through without copying it", () => {
  const add = (a: Tensor, b: Tensor) => a.add(b), sub = (a: Tensor, b: Tensor) => a.sub(b);
  assert.equal(backwardCost(add, [[3, 4], [3, 4]], [true, true]).dispatches, 0);
  assert.equal(backwardCost(sub, [[3, 4], [3, 4]], [true, false]).dispatches, 0);
  // Only b's negation runs.
  assert.equal(backwardCost(sub, [[3, 4], [3, 4]], [false, true]).dispatches, 1);
  assert.equal(backwardCost(sub, [[3, 4], [3, 4]], [true, true]).dispatches, 1);
});
