import assert from "node:assert/strict";
import { memory, noGrad, tensor, tidy } from "../../mod.ts";

Deno.test("gradients accumulate across backward calls and shared inputs", async () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).add(x).sum().backward(); // d/dx (x^2 + x) = 2x + 1
  assert.deepEqual(Array.from(await x.grad!.data()), [3, 5, 7]);
  x.mul(3).sum().backward();
  assert.deepEqual(Array.from(await x.grad!.data()), [6, 8, 10]);
});

Deno.test("noGrad records nothing and detach cuts the graph", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  const y = noGrad(() => w.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.node, null);
  const d = w.mul(2).detach();
  assert.equal(d.requiresGrad, false);
  assert.throws(() => d.sum().backward(), /does not require grad/);
});

Deno.test("backward needs a scalar or an explicit gradient", async () => {
  const w = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => w.mul(2).backward(), /needs a scalar, got shape \[2\]/);
  w.mul(2).backward(tensor([1, 10]));
  assert.deepEqual(Array.from(await w.grad!.data()), [2, 20]);
});

Deno.test("shape errors name both shapes", () => {
  assert.throws(
    () => tensor([1, 2, 3]).add(tensor([1, 2])),
    /Shapes \[3\], \[2\] cannot be broadcast/,
  );
  assert.throws(
    () => tensor([[1, 2]]).matmul(tensor([[1, 2]])),
    /matmul shapes do not match: \[1,2\] · \[1,2\]/,
  );
  assert.throws(
    () => tensor([1, 2, 3]).reshape(2, 2),
    /Shape \[2,2\] is invalid for a tensor of 3/,
  );
  assert.throws(() => tensor([1, 2]).sum(2), /Dimension 2 is out of range for a tensor of rank 1/);
});

Deno.test("tidy frees intermediates, keeps results; disposed tensors refuse use", async () => {
  const x = tensor([1, 2, 3]);
  const before = memory();
  const y = tidy(() => x.mul(2).add(1).exp().log());
  const after = memory();
  assert.equal(after.liveBuffers - before.liveBuffers, 1);
  assert.deepEqual(Array.from(await y.data()), [3, 5, 7]);
  y.dispose();
  assert.equal(memory().liveBuffers, before.liveBuffers);
  await assert.rejects(() => y.data(), /A disposed tensor of shape \[3\] was used/);
});

Deno.test("a steady training loop allocates no new GPU buffers", async () => {
  const w = tensor([[0.5, -0.25], [0.1, 0.3]], { requiresGrad: true });
  const x = tensor([[1, 2], [3, 4], [5, 6]]);
  const step = () =>
    tidy(() => {
      const loss = x.matmul(w).tanh().pow(2).mean();
      loss.backward();
      noGrad(() => {
        const next = w.sub(w.grad!.mul(0.1));
        // copy the update into w's memory: a fresh leaf each step would also work
        w.grad!.dispose();
        w.grad = null;
        return next;
      }).dispose();
      return loss.detach();
    });
  const run = async () => {
    const loss = step();
    const value = await loss.item();
    loss.dispose();
    return value;
  };
  const first = await run();
  for (let i = 0; i < 2; i++) await run();
  const allocations = memory().allocations;
  const live = memory().liveBuffers;
  for (let i = 0; i < 5; i++) await run();
  assert.equal(memory().allocations, allocations, "buffers created in steady state");
  assert.ok(memory().liveBuffers <= live, "live buffers grew with the loop");
  assert.ok(first > 0);
});

Deno.test("gradients made inside tidy belong to their leaf and survive the scope", async () => {
  const w = tensor([1, 2], { requiresGrad: true });
  tidy(() => w.mul(w).sum().backward());
  assert.equal(w.grad!.disposed, false);
  tidy(() => w.mul(3).sum().backward());
  assert.deepEqual(Array.from(await w.grad!.data()), [5, 7]);
});

Deno.test("backward through a graph freed by tidy fails loudly, naming the op", () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const loss = tidy(() => x.mul(x).exp().sum());
  assert.throws(
    () => loss.backward(),
    /A disposed tensor of shape \[2\] \(made by (mul|exp)\) was used; tensors made inside tidy\(\)/,
  );
});
