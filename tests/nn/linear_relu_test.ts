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
import { isRealGpu } from "../../kernels/adapter.ts";
import { fusedMatmul } from "../../src/nn/functional/_fused_matmul.ts";

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

/** `t` as a matrix of `cols` columns. */
const matrix = (t: FixtureTensor, cols: number): Tensor => fromFixture(t).reshape([-1, cols]);

// The backward products as a GPU runs them for small layers (the mask applied as g is read, the
// bias gradient summed beside dW), called directly so that every adapter runs them.
for (const [name, raw] of Object.entries(fixtures)) {
  const c = raw as FixtureCase;
  if (c.op !== "linearRelu" || c.inputs.length < 3 || c.args.weightGrad === false) continue;
  const [outF, inF] = c.inputs[1].shape;
  if (inF === 0) continue; // dW has no elements: its kernel does not run, F.linear sums g
  Deno.test(`masked backward products give torch's gradients: ${name}`, async () => {
    const g = matrix(c.grad_output!, outF), y = matrix(c.output, outF);
    const w = fromFixture(c.inputs[1]), x = matrix(c.inputs[0], inF);
    const [dx] = fusedMatmul(g, w, { half: false, mask: y });
    await assertClose(dx.reshape(c.grads![0]!.shape), c.grads![0]!, `${name} dx`);
    const [dw, db] = fusedMatmul(g, x, { transA: true, half: false, mask: y, rowSum: true });
    await assertClose(dw, c.grads![1]!, `${name} dW`);
    await assertClose(db!, c.grads![2]!, `${name} db`);
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
      // The same through the masked loads a GPU uses for small layers.
      const g = fromFixture(c.grad_output), mask = fromFixture(c.output);
      await assertClose(fusedMatmul(g, w, { half: true, mask })[0], c.dx, `${name} masked dx`, tol);
      const [dw, db] = fusedMatmul(g, x, { transA: true, half: true, mask, rowSum: true });
      await assertClose(dw, c.dw, `${name} masked dw`, tol);
      await assertClose(db!, c.db, `${name} masked db`);
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

Deno.test("Linear -> ReLU in a Sequential: one dispatch forward, two backward on a GPU, three on a CPU", () => {
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
    // dx and dW with the bias gradient beside it; the mask applied as g is read on a GPU, by its
    // own pass on a CPU adapter (where loads, not dispatches, are the cost).
    const expected = isRealGpu(deviceInfo().description) ? 2 : 3;
    assert.equal(dispatchesOf(() => y!.backward(g)), expected, "backward");
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
