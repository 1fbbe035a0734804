/**
 * F.linear's fused bias and ReLU (kernels/matmul.ts's epilogue, mask and row sums) and
 * nn.Sequential's Linear -> ReLU fusion against torch (tests/fixtures/linear_relu.json, made by
 * gen_linear_relu.py), the dispatches they save, and the cases that must not fuse.
 */
import assert from "node:assert/strict";
import {
  autocast,
  deviceInfo,
  deviceStats,
  F,
  nn,
  noGrad,
  type Tensor,
  tensor,
  tidy,
} from "../../mod.ts";
import {
  assertClose,
  assertGradsMatch,
  type FixtureCase,
  type FixtureTensor,
  fromFixture,
  loadFixtures,
} from "../_helpers.ts";

interface HalfCase {
  x: FixtureTensor;
  w: FixtureTensor;
  b: FixtureTensor;
  grad_output: FixtureTensor;
  output: FixtureTensor;
  float_output: FixtureTensor;
  dx: FixtureTensor;
  dw: FixtureTensor;
  db: FixtureTensor;
}

interface SequentialCase {
  state: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  grad_output: FixtureTensor;
  input_grad: FixtureTensor;
  param_grads: Record<string, FixtureTensor>;
}

const fixtures = await loadFixtures<Record<string, unknown>>("linear_relu");

for (const [name, raw] of Object.entries(fixtures)) {
  const c = raw as FixtureCase;
  if (c.op !== "linearRelu") continue;
  Deno.test(`F.linear with activation "relu" matches torch: ${name}`, async () => {
    const inputs = c.inputs.map((t, i) => fromFixture(t, c.requires_grad[i]));
    if (c.args.weightGrad === false) inputs[1].requiresGrad = false;
    const [x, w, b] = inputs;
    const out = F.linear(x, w, b, { activation: "relu" });
    await assertClose(out, c.output, `${name} forward`);
    await assertGradsMatch(name, c, inputs, out);
    if (c.args.weightGrad === false) assert.equal(w.grad, null);
  });
}

for (const name of ["half_aligned", "half_unaligned"]) {
  Deno.test({
    name: `F.linear with activation "relu" under autocast equals the f16 reference: ${name}`,
    ignore: !deviceInfo().shaderF16,
    fn: async () => {
      const c = fixtures[name] as HalfCase;
      const x = fromFixture(c.x, true), w = fromFixture(c.w, true), b = fromFixture(c.b, true);
      const y = autocast(() => F.linear(x, w, b, { activation: "relu" }));
      // One f16 ulp of the result, as tests/trainer/mixed_precision_test.ts allows.
      const tol = { rtol: 2 ** -10, atol: 1e-3 };
      await assertClose(y, c.output, `${name} forward`, tol);
      const got = await y.data();
      assert.ok(
        got.some((v, i) => Math.abs(v - c.float_output.data[i]) > 1e-3),
        "the half path changed the numbers",
      );
      autocast(() => y.backward(fromFixture(c.grad_output)));
      await assertClose(x.grad!, c.dx, `${name} dx`, tol);
      await assertClose(w.grad!, c.dw, `${name} dw`, tol);
      await assertClose(b.grad!, c.db, `${name} db`);
    },
  });
}

/** The sequential case's model, with torch's weights loaded. */
function loadedMlp(c: SequentialCase): nn.Sequential {
  const model = new nn.Sequential(
    new nn.Linear({ inFeatures: 12, outFeatures: 16 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 16, outFeatures: 8 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 8, outFeatures: 3 }),
    new nn.ReLU(),
  );
  model.loadStateDict(
    Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])),
  );
  return model;
}

Deno.test("nn.Sequential fuses Linear -> ReLU: torch's outputs and gradients", async () => {
  const c = fixtures.sequential as SequentialCase;
  const model = loadedMlp(c);
  const x = fromFixture(c.input, true);
  const out = model.call(x);
  await assertClose(out, c.output, "sequential forward");
  out.backward(fromFixture(c.grad_output));
  await assertClose(x.grad!, c.input_grad, "sequential input grad");
  const params = new Map(model.namedParameters());
  for (const [key, expected] of Object.entries(c.param_grads)) {
    await assertClose(params.get(key)!.grad!, expected, `sequential grad of ${key}`);
  }
});

/** Dispatches recorded while `fn` runs. */
function dispatchesOf(fn: () => void): number {
  const before = deviceStats().dispatches;
  fn();
  return deviceStats().dispatches - before;
}

Deno.test("Linear -> ReLU in a Sequential is one dispatch forward and two backward", () => {
  const c = fixtures.sequential as SequentialCase;
  const block = new nn.Sequential(
    new nn.Linear({ inFeatures: 12, outFeatures: 16 }),
    new nn.ReLU(),
  );
  const x = fromFixture(c.input, true);
  tidy(() => {
    let y: Tensor | null = null;
    assert.equal(dispatchesOf(() => y = block.call(x)), 1, "forward");
    const g = noGrad(() => y!.mul(0).add(1));
    // dx (the mask applied as g is read), dW with the bias gradient beside it.
    assert.equal(dispatchesOf(() => y!.backward(g)), 2, "backward");
  });
  const [w, b] = block.parameters();
  assert.ok(w.grad && b.grad && x.grad, "every gradient was written");
});

Deno.test("Sequential does not fuse a subclassed ReLU or a Linear that is not followed by one", async () => {
  const weight = tensor([[1, -1], [-2, 1]]);
  const build = (act: nn.Module): nn.Sequential => {
    const fc = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
    fc.loadStateDict({ weight, bias: tensor([0.5, 0]) });
    return new nn.Sequential(fc, act as nn.ReLU);
  };
  class Doubling extends nn.ReLU {
    override forward(t: Tensor): Tensor {
      return t.mul(2);
    }
  }
  const x = tensor([[3, 1]]);
  // x · Wᵀ + b = [3 - 1 + 0.5, -6 + 1] = [2.5, -5].
  assert.deepEqual(await build(new nn.ReLU()).call(x).array(), [[2.5, 0]]);
  assert.deepEqual(await build(new Doubling()).call(x).array(), [[5, -10]]);
  await assertClose(build(new nn.Tanh()).call(tensor([[0, 0]])), [Math.tanh(0.5), 0], "tanh");
});

Deno.test("F.linear rejects an unknown option or activation by name", () => {
  const x = tensor([[1, 2]]), w = tensor([[1, 1]]);
  assert.throws(
    () => F.linear(x, w, null, { activaton: "relu" } as F.LinearActivationOptions),
    /linear.*activaton.*activation/,
  );
  assert.throws(
    () => F.linear(x, w, null, { activation: "gelu" as "relu" }),
    /linear: activation must be "relu" or null, got "gelu"/,
  );
});
