import assert from "node:assert/strict";
import { optim, type Tensor, tensor } from "../../mod.ts";
import { assertClose, fromFixture, loadFixtures } from "../_helpers.ts";
import { build, type OptimFixtures, setGrads } from "./_fixtures.ts";

const fixtures = await loadFixtures<OptimFixtures>("optim");

for (const name of ["sgd_momentum_dampening", "adam_amsgrad", "rmsprop_centered_momentum"]) {
  Deno.test(`optim ${name}: 5 steps, stateDict into a fresh optimizer, 5 more = 10 steps`, async () => {
    const c = fixtures.optimizers[name];
    // `full` runs 10 uninterrupted steps; `resumed` starts from its state after step 5.
    const full = c.params.map((t) => fromFixture(t, true));
    const fullOpt = build(c, full, false);
    for (let step = 0; step < 5; step++) {
      setGrads(c, full, step);
      fullOpt.step();
    }
    const saved = fullOpt.stateDict();
    const resumed = await Promise.all(
      full.map(async (p) => tensor(await p.data(), { shape: p.shape, requiresGrad: true })),
    );
    const resumedOpt = build({ ...c, options: { ...c.options, lr: 123 } }, resumed, true);
    resumedOpt.loadStateDict(saved);
    assert.equal(resumedOpt.paramGroups[0].lr, fullOpt.paramGroups[0].lr);
    for (let step = 5; step < 10; step++) {
      // Both step on the same gradients: state shared by mistake would be updated twice.
      setGrads(c, full, step);
      setGrads(c, resumed, step);
      fullOpt.step();
      resumedOpt.step();
    }
    for (let i = 0; i < full.length; i++) {
      assert.deepEqual(await resumed[i].data(), await full[i].data(), `${name} param ${i}`);
      await assertClose(resumed[i], c.trajectory[9][i], `${name} param ${i} vs torch`);
    }
  });
}

Deno.test("optim stateDict is laid out as torch's", () => {
  const a = tensor([1, 2, 3], { requiresGrad: true });
  const b = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const c = tensor([5], { requiresGrad: true });
  const opt = new optim.Adam([{ params: [a, b] }, { params: [c], weightDecay: 0.5 }], {
    lr: 0.01,
    amsgrad: true,
  });
  a.grad = tensor([1, 1, 1]);
  b.grad = tensor([[1, 1], [1, 1]]);
  opt.step();
  const sd = opt.stateDict();
  assert.deepEqual(Object.keys(sd.state), ["0", "1"]); // c had no gradient: no state
  assert.deepEqual(Object.keys(sd.state[1]).sort(), [
    "exp_avg",
    "exp_avg_sq",
    "max_exp_avg_sq",
    "step",
  ]);
  assert.equal(sd.state[1].step, 1);
  assert.deepEqual((sd.state[1].exp_avg as Tensor).shape, [2, 2]);
  assert.deepEqual(sd.param_groups[0].params, [0, 1]);
  assert.deepEqual(sd.param_groups[1].params, [2]);
  assert.equal(sd.param_groups[1].weight_decay, 0.5);
  assert.equal(sd.param_groups[0].amsgrad, true);
  assert.deepEqual(sd.param_groups[0].betas, [0.9, 0.999]);
});

Deno.test("optim loadStateDict rejects a state dict of another layout", () => {
  const a = tensor([1, 2, 3], { requiresGrad: true });
  const b = tensor([1], { requiresGrad: true });
  const one = new optim.SGD([a, b], { lr: 0.1 }).stateDict();
  const two = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 });
  assert.throws(
    () => two.loadStateDict(one),
    /The state dict has 1 parameter groups, this optimizer has 2/,
  );
  const short = new optim.SGD([a], { lr: 0.1 });
  assert.throws(
    () => short.loadStateDict(one),
    /Parameter group 0 of the state dict has 2 parameters, this optimizer's has 1/,
  );
  const withState = new optim.SGD([a, b], { lr: 0.1, momentum: 0.9 });
  a.grad = tensor([1, 1, 1]);
  withState.step();
  const swapped = new optim.SGD([b, a], { lr: 0.1, momentum: 0.9 });
  assert.throws(
    () => swapped.loadStateDict(withState.stateDict()),
    /State 'momentum_buffer' of parameter 0 has shape \[3\], the parameter has shape \[1\]/,
  );
});
