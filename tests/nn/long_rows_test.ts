/**
 * Softmax, log-softmax, cross-entropy and layer norm over rows longer than 256 elements (one
 * workgroup per row) and short rows holding -inf logits, against torch
 * (tests/fixtures/long_rows.json, made by gen_long_rows.py); the dispatches of a softmax's and a
 * cross-entropy's forward and backward.
 */
import assert from "node:assert/strict";
import { deviceStats, F, noGrad, randn, type Tensor, tensor, tidy } from "../../mod.ts";
import {
  assertClose,
  assertGradsMatch,
  type FixtureCase,
  fromFixture,
  loadFixtures,
} from "../_helpers.ts";

type Op = (inputs: Tensor[], args: Record<string, unknown>) => Tensor;

const OPS: Record<string, Op> = {
  softmax: ([x], a) => x.softmax(a.dim as number),
  logSoftmax: ([x], a) => x.logSoftmax(a.dim as number),
  crossEntropy: ([x, t], a) =>
    F.crossEntropy(x, t, {
      reduction: a.reduction as F.LossReduction,
      labelSmoothing: a.labelSmoothing as number,
      ignoreIndex: a.ignoreIndex as number,
      weight: a.weight ? tensor(a.weight as number[]) : undefined,
    }),
  layerNorm: ([x, weight, bias], a) =>
    F.layerNorm(x, a.normalizedShape as number[], weight, bias, a.eps as number),
};

const cases = await loadFixtures("long_rows");
for (const [name, c] of Object.entries(cases) as [string, FixtureCase][]) {
  Deno.test(`${c.op} over long rows matches torch: ${name}`, async () => {
    const negInfAt = (c.args.negInfAt as number[] | undefined) ?? [];
    const first = { ...c.inputs[0], data: [...c.inputs[0].data] };
    for (const i of negInfAt) first.data[i] = -Infinity;
    const inputs = [first, ...c.inputs.slice(1)].map((t, i) => fromFixture(t, c.requires_grad[i]));
    const out = OPS[c.op](inputs, c.args);
    await assertClose(out, c.output, `${name} forward`);
    await assertGradsMatch(name, c, inputs, out);
  });
}

/** Dispatches recorded while `fn` runs. */
function dispatchesOf(fn: () => void): number {
  const before = deviceStats().dispatches;
  fn();
  return deviceStats().dispatches - before;
}

for (const [rows, cols] of [[8, 10], [4, 5000]]) {
  Deno.test(`softmax over ${rows}x${cols} is one dispatch forward and one backward`, () => {
    const x = randn([rows, cols], { requiresGrad: true });
    tidy(() => {
      let y: Tensor | null = null;
      assert.equal(dispatchesOf(() => y = x.softmax(1)), 1, "forward");
      const g = noGrad(() => y!.mul(0).add(1));
      assert.equal(dispatchesOf(() => y!.backward(g)), 1, "backward");
    });
    assert.ok(x.grad);
  });
}

Deno.test("cross-entropy over a batch's short rows is one dispatch forward, two over long rows", () => {
  for (const [rows, classes, forward] of [[64, 10, 1], [512, 10, 1], [4, 5000, 2]]) {
    const x = randn([rows, classes], { requiresGrad: true });
    const labels = tensor(Int32Array.from({ length: rows }, (_, i) => i % classes));
    const one = tensor(1);
    tidy(() => {
      let loss: Tensor | null = null;
      const n = dispatchesOf(() => loss = F.crossEntropy(x, labels));
      assert.equal(n, forward, `forward of ${rows}x${classes}`);
      assert.equal(dispatchesOf(() => loss!.backward(one)), 1, `backward of ${rows}x${classes}`);
    });
    assert.ok(x.grad);
  }
});
