import assert from "node:assert/strict";
import { optim, type Tensor, tensor, tidy } from "../../mod.ts";
import { assertClose, fromFixture, loadFixtures } from "../_helpers.ts";
import { build, setGrads } from "./_fixtures.ts";
import { optimParams, sgdKernel } from "../../kernels/optim.ts";
import type { OptimFixtures } from "./_fixtures.ts";

const fixtures = await loadFixtures<OptimFixtures>("optim");

Object.entries(fixtures.optimizers).forEach(([name, c], index) => {
  const oneObject = index % 2 === 1;
  Deno.test(`optim ${name} follows torch for 10 steps (${oneObject ? "{params}" : "(params, options)"})`, async () => {
    const params = c.params.map((t) => fromFixture(t, true));
    const opt = build(c, params, oneObject);
    for (let step = 0; step < c.trajectory.length; step++) {
      setGrads(c, params, step);
      opt.step();
      for (let i = 0; i < params.length; i++) {
        await assertClose(params[i], c.trajectory[step][i], `${name} step ${step + 1} param ${i}`);
      }
    }
    opt.zeroGrad();
    assert.ok(params.every((p) => p.grad === null));
  });
});

Deno.test("optim groups take defaults and their own overrides", () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3], { requiresGrad: true });
  const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5, nesterov: true }], {
    lr: 0.1,
    momentum: 0.9,
  });
  assert.equal(opt.paramGroups.length, 2);
  assert.equal(opt.paramGroups[0].lr, 0.1);
  assert.equal(opt.paramGroups[0].nesterov, false);
  assert.equal(opt.paramGroups[1].lr, 0.5);
  assert.equal(opt.paramGroups[1].momentum, 0.9);
  assert.deepEqual(opt.paramGroups[1].params, [b]);
  assert.equal(new optim.AdamW([a]).paramGroups[0].weightDecay, 1e-2);
  assert.deepEqual(new optim.Adam({ params: [a] }).paramGroups[0].betas, [0.9, 0.999]);
});

Deno.test("optim accepts any iterable of parameters (a generator, as model.parameters())", () => {
  const a = tensor([1], { requiresGrad: true });
  function* parameters(): Generator<Tensor> {
    yield a;
  }
  const opt = new optim.RMSprop({ params: parameters(), lr: 0.1 });
  assert.deepEqual(opt.paramGroups[0].params, [a]);
});

Deno.test("optim rejects bad arguments with messages naming what was expected", () => {
  const w = tensor([1], { requiresGrad: true });
  assert.throws(() => new optim.SGD([w], {}), /SGD needs a learning rate/);
  assert.throws(() => new optim.SGD([], { lr: 0.1 }), /SGD got an empty parameter list/);
  assert.throws(
    () => new optim.Adam([w], { lr: 0.1, weight_decay: 1 } as never),
    /Adam has no option 'weight_decay'; expected one of: params, lr, betas/,
  );
  assert.throws(() => new optim.Adam([w], { lr: -1 }), /Adam: 'lr' must be a number >= 0, got -1/);
  assert.throws(
    () => new optim.Adam([w], { betas: [0.9, 1] }),
    /Adam: 'betas\[1\]' must be a number >= 0 and < 1, got 1/,
  );
  assert.throws(
    () => new optim.SGD([w], { lr: 0.1, nesterov: true }),
    /Nesterov momentum needs momentum > 0 and dampening 0/,
  );
  assert.throws(
    () => new optim.SGD([{ params: [w] }, { params: [w] }], { lr: 0.1 }),
    /some parameters appear in more than one parameter group/,
  );
  assert.throws(
    () => new optim.SGD(tensor([1]) as never, { lr: 0.1 }),
    /SGD expects an array of tensors or parameter groups, or an options object with 'params', got a tensor of shape \[1\]/,
  );
  assert.throws(
    () => new optim.SGD({ params: [w], lr: 1 } as never, { lr: 1 } as never),
    /either \(params, options\) or one options object/,
  );
  const opt = new optim.SGD([w], { lr: 0.1 });
  w.grad = tensor([1, 2]);
  assert.throws(() => opt.step(), /gradient of a parameter of shape \[1\] has shape \[2\]/);
});

Deno.test("optim skips parameters without gradients", async () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3], { requiresGrad: true });
  const opt = new optim.SGD([a, b], { lr: 0.5 });
  a.grad = tensor([1, 1]);
  opt.step();
  assert.deepEqual(Array.from(await a.data()), [0.5, 1.5]);
  assert.deepEqual(Array.from(await b.data()), [3]);
});

Deno.test("optim state made inside tidy() outlives the scope", async () => {
  const w = tensor([1, -1], { requiresGrad: true });
  const opt = new optim.Adam([w], { lr: 0.1 });
  for (let i = 0; i < 2; i++) {
    tidy(() => {
      w.grad = tensor([1, -1]);
      opt.step();
      opt.zeroGrad();
    });
  }
  // Adam's first steps move each entry by about lr against the gradient's sign.
  await assertClose(w, [0.8, -0.8], "two Adam steps", { rtol: 1e-4 });
  const state = opt.stateDict().state[0];
  assert.equal(state.step, 2);
  assert.equal((state.exp_avg as Tensor).disposed, false);
});

Deno.test("optim kernels: one pipeline per variant, sizes and rates in params", () => {
  const a = sgdKernel(3, { momentum: true, nesterov: false });
  const b = sgdKernel(100_000, { momentum: true, nesterov: false });
  assert.equal(a.key, b.key);
  assert.notEqual(a.key, sgdKernel(3, { momentum: true, nesterov: true }).key);
  assert.deepEqual(b.workgroups, [391, 1, 1]);
  const p = optimParams(35, [0.25, -1]);
  assert.equal(p[0], 35);
  assert.deepEqual(Array.from(new Float32Array(p.buffer, 4)), [0.25, -1]);
});
