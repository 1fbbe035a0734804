/**
 * F.linear, F.conv2d and the 2-D poolings against torch (tests/fixtures/conv.json, made by
 * gen_conv.py): forward values and every gradient; then finite-difference checks of the conv and
 * max-pool gradients, and the errors for bad shapes and options.
 */
import { throws } from "node:assert/strict";
import { F, manualSeed, noGrad, randn, type Tensor, tensor } from "../../mod.ts";
import { assertClose, type FixtureCase, fromFixture, loadFixtures } from "../_helpers.ts";

type OpFn = (inputs: Tensor[], args: Record<string, unknown>) => Tensor;

const OPS: Record<string, OpFn> = {
  linear: ([x, w, b]) => F.linear(x, w, b),
  conv2d: ([x, w, b], a) => F.conv2d(x, w, b, a as F.Conv2dOptions),
  maxPool2d: ([x], a) => F.maxPool2d(x, a as unknown as F.MaxPool2dOptions),
  avgPool2d: ([x], a) => F.avgPool2d(x, a as unknown as F.AvgPool2dOptions),
  adaptiveAvgPool2d: ([x], a) => F.adaptiveAvgPool2d(x, a.outputSize as F.AdaptiveSize2d),
};

// Sums of up to a few hundred float32 products, accumulated in another order than torch's.
const TOLERANCE = { rtol: 1e-4, atol: 2e-5 };

const cases = await loadFixtures<Record<string, FixtureCase>>("conv");

for (const [name, c] of Object.entries(cases)) {
  Deno.test(`${c.op} ${name} matches torch`, async () => {
    const inputs = c.inputs.map((t, i) => fromFixture(t, c.requires_grad[i]));
    const out = OPS[c.op](inputs, c.args);
    await assertClose(out, c.output, `${name} output`, TOLERANCE);
    if (!c.grad_output || !c.grads) throw new Error(`${name}: fixture has no gradients`);
    out.backward(fromFixture(c.grad_output));
    for (let i = 0; i < inputs.length; i++) {
      const expected = c.grads[i];
      if (!expected) continue;
      const grad = inputs[i].grad;
      if (!grad) throw new Error(`${name}: input ${i} got no gradient`);
      await assertClose(grad, expected, `${name} grad ${i}`, TOLERANCE);
    }
  });
}

/**
 * Central differences of L(x) = Σ f(x)·r (r fixed random) at a few elements of x, against the
 * analytic gradient. Float32 and a 1e-2 step: loose tolerance.
 */
async function checkFiniteDifferences(
  name: string,
  f: (x: Tensor) => Tensor,
  values: Float32Array,
  shape: number[],
  probes: number[],
): Promise<void> {
  const x = tensor(values, { shape, requiresGrad: true });
  const out = f(x);
  const r = noGrad(() => randn([...out.shape]));
  out.mul(r).sum().backward();
  const analytic = await x.grad!.data();
  const eps = 1e-2;
  const loss = (v: Float32Array) => noGrad(() => f(tensor(v, { shape })).mul(r).sum().item());
  for (const i of probes) {
    const plus = values.slice(), minus = values.slice();
    plus[i] += eps;
    minus[i] -= eps;
    const numeric = ((await loss(plus)) - (await loss(minus))) / (2 * eps);
    if (!(Math.abs(numeric - analytic[i]) <= 5e-3 + 1e-2 * Math.abs(numeric))) {
      throw new Error(`${name}: d/dx[${i}] analytic ${analytic[i]} vs numeric ${numeric}`);
    }
  }
}

/** Distinct values 0.05 apart in a scrambled order, so ±1e-2 never moves a window's maximum. */
function spreadValues(count: number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = ((i * 37) % count) * 0.05 - count * 0.025;
  return values;
}

Deno.test("conv2d gradients agree with finite differences", async () => {
  manualSeed(7);
  const shape = [2, 4, 7, 6];
  const values = await randn(shape).data() as Float32Array;
  const weight = randn([6, 2, 3, 3], { requiresGrad: true });
  const bias = randn([6]);
  const options: F.Conv2dOptions = { stride: 2, padding: [1, 2], dilation: [1, 2], groups: 2 };
  await checkFiniteDifferences(
    "conv2d input",
    (x) => F.conv2d(x, weight, bias, options),
    values,
    shape,
    [0, 5, 41, 100, 167, 335],
  );
  // And with respect to the weight, the input held fixed.
  const x = tensor(values, { shape });
  await checkFiniteDifferences(
    "conv2d weight",
    (w) => F.conv2d(x, w, bias, options),
    await weight.data() as Float32Array,
    [6, 2, 3, 3],
    [0, 13, 50, 107],
  );
});

Deno.test("maxPool2d gradient agrees with finite differences", async () => {
  manualSeed(8);
  const shape = [1, 2, 7, 9];
  const values = spreadValues(2 * 7 * 9);
  await checkFiniteDifferences(
    "maxPool2d",
    (x) => F.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }),
    values,
    shape,
    [0, 10, 33, 62, 64, 100, 125],
  );
});

Deno.test("avgPool2d and adaptiveAvgPool2d gradients agree with finite differences", async () => {
  manualSeed(9);
  const shape = [1, 1, 7, 7];
  const values = await randn(shape).data() as Float32Array;
  await checkFiniteDifferences(
    "avgPool2d",
    (x) => F.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }),
    values,
    shape,
    [0, 8, 24, 48],
  );
  await checkFiniteDifferences(
    "adaptiveAvgPool2d",
    (x) => F.adaptiveAvgPool2d(x, 3),
    values,
    shape,
    [0, 9, 23, 30, 48],
  );
});

Deno.test("conv2d rejects mismatched shapes and options with clear errors", () => {
  const x = tensor(new Float32Array(2 * 4 * 5 * 5), { shape: [2, 4, 5, 5] });
  throws(
    () => F.conv2d(x, tensor(new Float32Array(6 * 3 * 3 * 3), { shape: [6, 3, 3, 3] })),
    /expects 3 input channels with groups=1, got 4/,
  );
  const w = tensor(new Float32Array(6 * 2 * 3 * 3), { shape: [6, 2, 3, 3] });
  throws(() => F.conv2d(x, w, null, { groups: 3 }), /groups \(3\) must divide/);
  throws(() => F.conv2d(x, w, tensor([1, 2]), { groups: 2 }), /bias of shape \[6\]/);
  throws(() => F.conv2d(x, w, null, { groups: 2, stride: 0 }), /stride must be integers/);
  throws(
    () => F.conv2d(x, w, null, { groups: 2, padding: "same", stride: 2 }),
    /"same" needs stride 1/,
  );
  throws(
    () => F.conv2d(x, w, null, { groups: 2, dilation: 3 }),
    /output would be empty/,
  );
  throws(() => F.linear(x, w), /weight of shape \[out, in\]/);
  throws(
    () => F.linear(tensor([[1, 2, 3]]), tensor([[1, 2]])),
    /last dim is 2 \(weight \[1,2\]\), got \[1,3\]/,
  );
});

Deno.test("pooling rejects bad windows with clear errors", () => {
  const x = tensor(new Float32Array(2 * 5 * 5), { shape: [2, 5, 5] });
  throws(
    () => F.maxPool2d(x, { kernelSize: 2, padding: 2 }),
    /padding must be at most half the window \(1x1\), got 2x2/,
  );
  throws(() => F.avgPool2d(x, { kernelSize: 6 }), /output would be empty/);
  throws(() => F.maxPool2d(tensor([1, 2]), { kernelSize: 1 }), /\[N, C, H, W\]/);
  throws(() => F.adaptiveAvgPool2d(x, 0), /positive integers/);
});
