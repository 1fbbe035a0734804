/**
 * Fusion (compile mode): inside `fused`, elementwise chains run as one generated kernel with
 * torch's values and gradients (tests/fixtures/fusion.json, made by gen_fusion.py); a compiled
 * MLP trains as torch does in fewer dispatches per step, with flat memory; lazy tensors keep
 * their inputs alive, see them as they were before an in-place write, and are recomputed per
 * consumer rather than stored.
 */
import assert from "node:assert/strict";
import {
  deviceStats,
  F,
  fused,
  isFusing,
  memory,
  nn,
  optim,
  type Tensor,
  tensor,
  tidy,
} from "../../mod.ts";
import { isLazy } from "../../src/ops/fusion.ts";
import {
  assertClose,
  assertGradsMatch,
  type FixtureCase,
  type FixtureTensor,
  fromFixture,
  loadFixtures,
} from "../_helpers.ts";

interface MlpCase {
  state: Record<string, FixtureTensor>;
  input: FixtureTensor;
  target: FixtureTensor;
  lr: number;
  momentum: number;
  losses: number[];
}

const fixtures = await loadFixtures<Record<string, unknown>>("fusion");

/** The lumen form of each chain gen_fusion.py writes in torch. */
const CHAINS: Record<string, (...xs: Tensor[]) => Tensor> = {
  mulAddExp: (x) => x.mul(2).add(1).exp(),
  broadcast: (a, b, k) => a.mul(b).add(k).sigmoid().mul(a).sub(0.5).tanh(),
  geluPow: (x) => x.gelu().mul(1.5).sigmoid().sub(x.pow(2)),
  longChain: (x) => {
    for (let i = 0; i < 160; i++) x = x.mul(1.01).add(0.25);
    return x;
  },
  wide: (...xs) => xs.slice(1).reduce((total, x, k) => total.add(x.mul(k + 2)), xs[0]),
};

/** Kernel dispatches recorded while `fn` runs. */
function dispatches<T>(fn: () => T): [T, number] {
  const before = deviceStats().dispatches;
  const out = fn();
  return [out, deviceStats().dispatches - before];
}

/** Dispatches of each chain's forward under `fused`, until its result is read. */
const FORWARD_DISPATCHES: Record<string, [number, number]> = {
  mulAddExp: [1, 1],
  broadcast: [1, 1],
  geluPow: [1, 1],
  // 160 steps of "((x0 * s0) + s1)" are past 2,000 characters: cut into a few kernels.
  longChain: [2, 4],
  // Twelve inputs, eight at most per kernel.
  wide: [2, 2],
};

for (const [name, raw] of Object.entries(fixtures)) {
  const c = raw as FixtureCase;
  if (!c.op) continue;
  Deno.test(`fused ${c.op} matches torch, forward and gradients, in fewer dispatches`, async () => {
    const inputs = c.inputs.map((t, i) => fromFixture(t, c.requires_grad[i]));
    await Promise.all(inputs.map((t) => t.data()));
    const before = deviceStats().dispatches;
    const out = fused(() => CHAINS[c.op](...inputs));
    await assertClose(out, c.output, `${name} forward`);
    const forward = deviceStats().dispatches - before;
    const [lo, hi] = FORWARD_DISPATCHES[c.op];
    assert.ok(forward >= lo && forward <= hi, `${name}: ${forward} dispatches`);
    const [, backward] = dispatches(() => out.backward(fromFixture(c.grad_output!)));
    for (const [i, t] of inputs.entries()) {
      if (c.grads?.[i]) await assertClose(t.grad!, c.grads[i]!, `${name} grad of input ${i}`);
    }
    // The same chain unfused, against torch too, and its dispatch count.
    const plain = c.inputs.map((t, i) => fromFixture(t, c.requires_grad[i]));
    await Promise.all(plain.map((t) => t.data()));
    const [ref, plainForward] = dispatches(() => CHAINS[c.op](...plain));
    await assertClose(ref, c.output, `${name} unfused forward`);
    const start = deviceStats().dispatches;
    await assertGradsMatch(name, c, plain, ref);
    const plainBackward = deviceStats().dispatches - start;
    assert.ok(forward < plainForward, `${name}: ${forward} fused, ${plainForward} plain`);
    assert.ok(
      backward <= plainBackward,
      `${name} backward: ${backward} fused, ${plainBackward} plain`,
    );
  });
}

Deno.test("x.mul(2).add(1).exp() under fused: one dispatch (three unfused); backward fuses too", async () => {
  const x = tensor([0, 1, 2], { requiresGrad: true });
  await x.data();
  const [y, none] = dispatches(() => fused(() => x.mul(2).add(1).exp()));
  assert.equal(none, 0);
  const before = deviceStats().dispatches;
  await assertClose(y, [Math.E, Math.exp(3), Math.exp(5)], "exp(2x + 1)", { rtol: 1e-6 });
  assert.equal(deviceStats().dispatches - before, 1);
  const [z, plain] = dispatches(() => x.mul(2).add(1).exp());
  assert.equal(plain, 3);
  // d/dx exp(2x + 1) = 2 exp(2x + 1): exp's rule and mul's compose into x.grad's one kernel.
  y.backward(tensor([1, 1, 1]));
  const grad = x.grad!;
  assert.ok(isLazy(grad));
  await assertClose(grad, [2 * Math.E, 2 * Math.exp(3), 2 * Math.exp(5)], "grad", { rtol: 1e-6 });
  z.dispose();
});

/** The fixture's MLP: Linear, GELU, Sigmoid, Linear, Tanh, Sigmoid, Linear, with its weights. */
function mlp(c: MlpCase): nn.Sequential {
  const model = new nn.Sequential(
    new nn.Linear({ inFeatures: 6, outFeatures: 16 }),
    new nn.GELU(),
    new nn.Sigmoid(),
    new nn.Linear({ inFeatures: 16, outFeatures: 8 }),
    new nn.Tanh(),
    new nn.Sigmoid(),
    new nn.Linear({ inFeatures: 8, outFeatures: 3 }),
  );
  model.loadStateDict(
    Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])),
  );
  return model;
}

/**
 * Trains `model` with SGD on the fixture's batch: per step, the loss, the dispatches and the
 * buffers the step left alive (measured synchronously, so no finalizer of other tests runs).
 */
async function train(model: nn.Sequential, c: MlpCase) {
  const x = fromFixture(c.input), y = fromFixture(c.target);
  const opt = new optim.SGD(model.parameters(), { lr: c.lr, momentum: c.momentum });
  const losses: number[] = [], counts: number[] = [], added: number[] = [];
  for (let step = 0; step < c.losses.length; step++) {
    const live = memory().liveBuffers;
    const [loss, n] = dispatches(() =>
      tidy(() => {
        const l = F.mseLoss(model.call(x), y);
        l.backward();
        opt.step();
        opt.zeroGrad();
        return l;
      })
    );
    added.push(memory().liveBuffers - live);
    losses.push(await loss.item());
    loss.dispose();
    counts.push(n);
  }
  return { losses, counts, added };
}

Deno.test("a compiled MLP trains with torch's losses in fewer dispatches per step, memory flat", async () => {
  const c = fixtures.mlp as MlpCase;
  const plain = await train(mlp(c), c);
  const compiled = await train(mlp(c).compile(), c);
  await assertClose(plain.losses, c.losses, "plain losses", { rtol: 1e-5, atol: 1e-6 });
  await assertClose(compiled.losses, c.losses, "compiled losses", { rtol: 1e-5, atol: 1e-6 });
  await assertClose(compiled.losses, plain.losses, "compiled vs plain", { rtol: 0, atol: 1e-5 });
  // GELU+Sigmoid and Tanh+Sigmoid fuse forward (4 -> 2), the last Sigmoid into the loss, and
  // their derivative rules in backward.
  for (let i = 0; i < c.losses.length; i++) {
    assert.ok(
      compiled.counts[i] < plain.counts[i],
      `step ${i}: ${compiled.counts[i]} compiled, ${plain.counts[i]} plain`,
    );
  }
  // Each step leaves only its loss alive, once the first has made the six momentum buffers.
  assert.deepEqual(compiled.added, [7, 1, 1, 1, 1, 1]);
  assert.deepEqual(plain.added, compiled.added);
});

Deno.test("compile() runs forward inside fused; an uncompiled module does not", () => {
  class Probe extends nn.Module {
    seen: boolean[] = [];
    forward(x: Tensor): Tensor {
      this.seen.push(isFusing());
      return x.exp().mul(2);
    }
  }
  const x = tensor([1, 2]);
  const plain = new Probe(), compiled = new Probe().compile();
  const a = plain.call(x), b = compiled.call(x);
  assert.deepEqual([plain.seen, compiled.seen, isFusing()], [[false], [true], false]);
  assert.equal(isLazy(a), false);
  assert.equal(isLazy(b), true);
});

Deno.test("a lazy tensor keeps its inputs alive after they are disposed, and frees them after", async () => {
  const base = memory().liveBuffers;
  const x = tensor([1, 2, 3]);
  // tidy disposes the lazy x.mul(3), which holds x too until it is freed.
  const y = tidy(() => fused(() => x.mul(3).sub(1)));
  x.dispose();
  assert.equal(memory().liveBuffers, base + 1, "x's buffer is held by y");
  assert.deepEqual(Array.from(await y.data()), [2, 5, 8]);
  assert.equal(memory().liveBuffers, base + 1, "y's buffer replaces x's");
  y.dispose();
  assert.equal(memory().liveBuffers, base);
  // Disposed before it ever ran: nothing is dispatched, and its input is freed.
  const u = tensor([4, 5]);
  const [v, n] = dispatches(() => {
    const v = tidy(() => fused(() => u.exp().neg()));
    u.dispose();
    v.dispose();
    return v;
  });
  assert.equal(n, 0);
  assert.ok(v.disposed);
  assert.equal(memory().liveBuffers, base);
});

Deno.test("a lazy tensor sees the values it was made from after an in-place write of its input", async () => {
  // An optimizer step: w <- w - 0.5 * dL/dw with L = sum(w^2), so w becomes 0.
  const w = tensor([1, 2, 3], { requiresGrad: true });
  const y = fused(() => w.mul(2).add(1));
  w.mul(w).sum().backward();
  new optim.SGD([w], { lr: 0.5 }).step();
  assert.deepEqual(Array.from(await w.data()), [0, 0, 0]);
  assert.deepEqual(Array.from(await y.data()), [3, 5, 7]);
  // loadStateDict copies into the parameter in place (assign).
  const lin = new nn.Linear({ inFeatures: 2, outFeatures: 1 });
  const old = Array.from(await lin.getParameter("weight")!.data());
  const doubled = fused(() => lin.getParameter("weight")!.mul(2));
  lin.loadStateDict({ weight: tensor([[7, 8]]), bias: tensor([0]) });
  assert.deepEqual(Array.from(await doubled.data()), old.map((v) => Math.fround(2 * v)));
});

Deno.test("a lazy tensor read by two consumers is recomputed in each, never stored", async () => {
  const x = tensor([0, 1]);
  await x.data();
  const [[a, b, c], n] = dispatches(() =>
    fused(() => {
      const a = x.exp();
      return [a, a.add(1), a.mul(2)];
    })
  );
  assert.equal(n, 0);
  const before = deviceStats().dispatches;
  await assertClose(b, [2, Math.E + 1], "exp(x) + 1", { rtol: 1e-6 });
  await assertClose(c, [2, 2 * Math.E], "exp(x) * 2", { rtol: 1e-6 });
  assert.equal(deviceStats().dispatches - before, 2);
  assert.ok(isLazy(a), "a itself never ran");
  // Outside fused, an op over a lazy input composes it and runs at once.
  const [d, m] = dispatches(() => a.sub(1));
  assert.equal(m, 1);
  assert.equal(isLazy(d), false);
  await assertClose(d, [0, Math.E - 1], "exp(x) - 1", { rtol: 1e-6 });
});

Deno.test("what does not fuse runs at once: int32 ops, a broadcast lazy input, other kernels", async () => {
  const i = tensor(Int32Array.from([1, 2, 3]));
  const j = fused(() => i.add(1));
  assert.equal(j.dtype, "int32");
  assert.equal(isLazy(j), false);
  assert.deepEqual(Array.from(await j.data()), [2, 3, 4]);
  // b.mul(2) is [2] broadcast to [2, 2]: it runs on its own, then the add reads its buffer.
  const x = tensor([[1, 2], [3, 4]]), b = tensor([10, 20]);
  await Promise.all([x.data(), b.data()]);
  const [y, n] = dispatches(() => fused(() => x.add(b.mul(2))));
  assert.equal(n, 1, "b.mul(2) ran when the add needed it");
  assert.deepEqual(Array.from(await y.data()), [21, 42, 23, 44]);
  // A reduction needs a buffer: the chain before it runs first.
  const s = fused(() => x.mul(x).sum());
  assert.equal(isLazy(s), false);
  assert.equal(await s.item(), 30);
});

Deno.test("fused(fn) rejects an async fn and nests", () => {
  assert.throws(
    () => fused(() => Promise.resolve(1)),
    /fused\(fn\) needs a synchronous fn: the mode would leak into other work/,
  );
  assert.equal(isFusing(), false);
  assert.deepEqual(fused(() => [isFusing(), fused(() => isFusing()), isFusing()]), [
    true,
    true,
    true,
  ]);
  assert.equal(isFusing(), false);
});
