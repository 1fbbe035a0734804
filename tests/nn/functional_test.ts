/**
 * Losses, normalisation, dropout and embedding (F.*) against torch (tests/fixtures/functional.json),
 * plus finite-difference checks of the fused gradients and dropout's statistics.
 */
import assert from "node:assert/strict";
import { F, manualSeed, noGrad, ones, rand, type Tensor, tensor, zeros } from "../../mod.ts";
import {
  assertClose,
  assertGradsMatch,
  type FixtureCase,
  type FixtureTensor,
  fromFixture,
  loadFixtures,
} from "../_helpers.ts";

type Args = Record<string, unknown>;

/** Extra tensors a case's op makes from its args (running statistics), compared after the op. */
interface Run {
  out: Tensor;
  after?: [Tensor, FixtureTensor | undefined, string][];
}

const optional = (t: unknown): Tensor | undefined =>
  t ? fromFixture(t as FixtureTensor) : undefined;

const OPS: Record<string, (inputs: Tensor[], args: Args, c: FixtureCase) => Run> = {
  crossEntropy: ([x, t], a) => ({
    out: F.crossEntropy(x, t, {
      reduction: a.reduction as F.LossReduction,
      labelSmoothing: a.labelSmoothing as number,
      ignoreIndex: a.ignoreIndex as number,
      weight: a.weight ? tensor(a.weight as number[]) : undefined,
    }),
  }),
  mseLoss: ([x, y], a) => ({ out: F.mseLoss(x, y, { reduction: a.reduction as F.LossReduction }) }),
  l1Loss: ([x, y], a) => ({ out: F.l1Loss(x, y, { reduction: a.reduction as F.LossReduction }) }),
  bce: ([x, y], a) => ({
    out: F.binaryCrossEntropyWithLogits(x, y, {
      reduction: a.reduction as F.LossReduction,
      posWeight: optional(a.posWeight),
      weight: optional(a.weight),
    }),
  }),
  batchNorm: ([x, weight, bias], a, c) => {
    const runningMean = optional(a.runningMean) ?? null;
    const runningVar = optional(a.runningVar) ?? null;
    const out = F.batchNorm(x, runningMean, runningVar, {
      weight,
      bias,
      training: a.training as boolean,
      momentum: a.momentum as number,
      eps: a.eps as number,
    });
    const after: Run["after"] = [];
    if (runningMean && runningVar) {
      after.push([runningMean, c.running_mean as FixtureTensor, "running mean"]);
      after.push([runningVar, c.running_var as FixtureTensor, "running var"]);
    }
    return { out, after };
  },
  layerNorm: ([x, weight, bias], a) => ({
    out: F.layerNorm(x, a.normalizedShape as number[], weight, bias, a.eps as number),
  }),
  embedding: ([idx, weight], a) => ({
    out: F.embedding(idx, weight, { paddingIdx: (a.paddingIdx as number | null) ?? undefined }),
  }),
};

async function checkCase(name: string, c: FixtureCase): Promise<void> {
  const inputs = c.inputs.map((t, i) => fromFixture(t, c.requires_grad[i]));
  const { out, after } = OPS[c.op](inputs, c.args, c);
  await assertClose(out, c.output, `${name} forward`);
  for (const [t, expected, what] of after ?? []) await assertClose(t, expected!, `${name} ${what}`);
  await assertGradsMatch(name, c, inputs, out);
}

const cases = await loadFixtures("functional");
for (const [name, c] of Object.entries(cases)) {
  Deno.test(`F.${c.op} matches torch: ${name}`, () => checkCase(name, c));
}

Deno.test("F.crossEntropy with every target ignored gives NaN (0/0) and zero gradients", async () => {
  const logits = tensor([[1, 2, 3], [0, 1, 0]], { requiresGrad: true });
  const loss = F.crossEntropy(logits, tensor(new Int32Array([-100, -100])));
  assert(Number.isNaN(await loss.item()));
  loss.backward();
  assert.deepEqual(Array.from(await logits.grad!.data()), [0, 0, 0, 0, 0, 0]);
});

Deno.test("F.crossEntropy over an empty batch: sum 0, mean NaN, none empty", async () => {
  const logits = zeros([0, 3]);
  const target = tensor(new Int32Array(0));
  assert.equal(await F.crossEntropy(logits, target, { reduction: "sum" }).item(), 0);
  assert(Number.isNaN(await F.crossEntropy(logits, target).item()));
  assert.deepEqual(F.crossEntropy(logits, target, { reduction: "none" }).shape, [0]);
});

Deno.test("F.crossEntropy marks out-of-range targets computed on the device with NaN", async () => {
  // clone() computes the targets on the device, so no host range is known to check them by.
  const target = tensor(new Int32Array([1, 2])).clone();
  const loss = F.crossEntropy(tensor([[1, 2], [3, 4]]), target, { reduction: "none" });
  const values = await loss.data();
  assert(Number.isFinite(values[0]));
  assert(Number.isNaN(values[1]));
});

Deno.test("F.crossEntropy rejects bad shapes and options with clear messages", () => {
  const logits = zeros([4, 3]);
  assert.throws(
    () => F.crossEntropy(logits, tensor(new Int32Array([0, 1, 2]))),
    /class-index targets for logits of shape \[4,3\] must have shape \[4\], got \[3\]/,
  );
  assert.throws(
    () => F.crossEntropy(logits, tensor(new Int32Array([0, 1, 2, 0])), { weight: ones([4]) }),
    /weight must have shape \[3\], got \[4\]/,
  );
  assert.throws(
    () => F.crossEntropy(logits, tensor(new Int32Array([0, 1, 2, 0])), { labelSmoothing: 1.5 }),
    /labelSmoothing must be in \[0, 1\], got 1.5/,
  );
  assert.throws(
    () => F.mseLoss(logits, logits, { reduction: "avg" as F.LossReduction }),
    /reduction must be "mean", "sum" or "none", got "avg"/,
  );
});

/** Central differences of `loss` at each element of `x` (host values), step h. */
async function finiteDifferences(
  values: Float32Array,
  shape: number[],
  loss: (x: Tensor) => Tensor,
  h: number,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const at = async (delta: number): Promise<number> => {
      const v = values.slice();
      v[i] += delta;
      return await noGrad(() => loss(tensor(v, { shape }))).item();
    };
    out.push(((await at(h)) - (await at(-h))) / (2 * h));
  }
  return out;
}

async function assertGradMatchesFd(analytic: Tensor, fd: number[], what: string): Promise<void> {
  await assertClose(analytic, fd, what, { rtol: 2e-2, atol: 2e-3 });
}

Deno.test("F.crossEntropy's fused gradient matches finite differences", async () => {
  manualSeed(3);
  const values = (await rand([3, 5]).data()) as Float32Array;
  for (let i = 0; i < values.length; i++) values[i] = values[i] * 4 - 2;
  const target = tensor(new Int32Array([4, -100, 1]));
  const weight = tensor([0.5, 1, 2, 1.5, 0.7]);
  const options = { labelSmoothing: 0.1, weight };
  const logits = tensor(values, { shape: [3, 5], requiresGrad: true });
  F.crossEntropy(logits, target, options).backward();
  const fd = await finiteDifferences(
    values,
    [3, 5],
    (x) => F.crossEntropy(x, target, options),
    1e-2,
  );
  assert(fd.some((v) => Math.abs(v) > 0.05), "the check needs non-trivial gradients");
  await assertGradMatchesFd(logits.grad!, fd, "cross-entropy gradient");
});

Deno.test("F.layerNorm's gradients match finite differences", async () => {
  manualSeed(4);
  const shape = [2, 6];
  const x = (await rand(shape).data()) as Float32Array;
  const w = (await rand([6]).data()) as Float32Array;
  const r = tensor((await rand(shape).data()) as Float32Array, { shape });
  const bias = tensor([0.1, -0.2, 0.3, 0, 0.5, -0.1]);
  // A scalar that weights every output differently, so every gradient entry matters.
  const loss = (xt: Tensor, wt: Tensor): Tensor => F.layerNorm(xt, [6], wt, bias).mul(r).sum();
  const xg = tensor(x, { shape, requiresGrad: true });
  const wg = tensor(w, { requiresGrad: true });
  loss(xg, wg).backward();
  const fdX = await finiteDifferences(x, shape, (xt) => loss(xt, tensor(w)), 1e-2);
  const fdW = await finiteDifferences(w, [6], (wt) => loss(tensor(x, { shape }), wt), 1e-2);
  await assertGradMatchesFd(xg.grad!, fdX, "layerNorm input gradient");
  await assertGradMatchesFd(wg.grad!, fdW, "layerNorm weight gradient");
});

Deno.test("F.dropout keeps about 1 - p of 100k elements, scaled by 1/(1 - p)", async () => {
  manualSeed(11);
  const p = 0.3, n = 100_000;
  const xt = rand([n]);
  const x = await xt.data();
  const y = await F.dropout(xt.add(0.5), { p }).data();
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] === 0) continue;
    kept++;
    const expected = (x[i] + 0.5) / (1 - p);
    if (Math.abs(y[i] - expected) > 1e-6 * expected) {
      throw new Error(`kept element ${i} is ${y[i]}, expected ${expected}`);
    }
  }
  // The standard deviation of the kept fraction is sqrt(p(1-p)/n) ~ 0.0015.
  const fraction = kept / n;
  assert(Math.abs(fraction - (1 - p)) < 0.01, `kept fraction ${fraction}, expected ~${1 - p}`);
});

Deno.test("F.dropout's gradient is the same mask divided by 1 - p", async () => {
  manualSeed(12);
  const p = 0.6, n = 5000;
  const x = rand([n]).add(1);
  x.requiresGrad = true;
  const y = F.dropout(x, { p });
  y.backward(ones([n]));
  const [out, grad] = [await y.data(), await x.grad!.data()];
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const expected = out[i] === 0 ? 0 : 1 / (1 - p);
    if (Math.abs(grad[i] - expected) > 1e-6) {
      throw new Error(`gradient ${i} is ${grad[i]}, expected ${expected}`);
    }
    if (out[i] !== 0) kept++;
  }
  assert(kept > 0 && kept < n, `kept ${kept} of ${n}`);
});

Deno.test("F.dropout is reproducible under manualSeed and differs between calls", async () => {
  const x = ones([1000]);
  manualSeed(42);
  const a = await F.dropout(x).data();
  const b = await F.dropout(x).data();
  manualSeed(42);
  const again = await F.dropout(x).data();
  assert.deepEqual(Array.from(again), Array.from(a));
  assert(a.some((v, i) => v !== b[i]), "two draws in a row gave the same mask");
});

Deno.test("F.dropout passes the input through when not training, p = 0, and zeroes at p = 1", async () => {
  const x = tensor([1, -2, 3], { requiresGrad: true });
  assert.deepEqual(Array.from(await F.dropout(x, { training: false }).data()), [1, -2, 3]);
  const y = F.dropout(x, { p: 0 });
  y.backward(tensor([1, 2, 3]));
  assert.deepEqual(Array.from(await y.data()), [1, -2, 3]);
  assert.deepEqual(Array.from(await x.grad!.data()), [1, 2, 3]);
  assert.deepEqual(Array.from(await F.dropout(x, { p: 1 }).data()), [0, 0, 0]);
  assert.throws(() => F.dropout(x, { p: 1.5 }), /p must be between 0 and 1, got 1.5/);
});

Deno.test("F.batchNorm rejects one value per channel in training and missing running stats", () => {
  assert.throws(
    () => F.batchNorm(ones([1, 3]), zeros([3]), ones([3]), { training: true }),
    /expected more than 1 value per channel when training, got input of shape \[1,3\]/,
  );
  assert.throws(
    () => F.batchNorm(ones([2, 3]), null, null),
    /evaluation \(training: false\) needs runningMean and runningVar/,
  );
  assert.throws(
    () => F.batchNorm(ones([2, 3]), zeros([4]), ones([4])),
    /runningMean must be float32 of shape \[3\], got float32 \[4\]/,
  );
});

Deno.test("F.layerNorm rejects a normalizedShape the input does not end with", () => {
  assert.throws(
    () => F.layerNorm(ones([2, 3]), [4]),
    /input of shape \[2,3\] \(float32\) does not end with normalizedShape \[4\]/,
  );
});

Deno.test("F.embedding's gradient is bit-identical across runs and NaN marks bad indices", async () => {
  manualSeed(9);
  const indices = tensor(new Int32Array(Array.from({ length: 400 }, (_, i) => (i * 7) % 13)));
  const table = rand([13, 6]);
  const g = rand([400, 6]);
  const run = async (): Promise<Float32Array> => {
    const w = table.detach();
    w.requiresGrad = true;
    F.embedding(indices, w).backward(g);
    return (await w.grad!.data()) as Float32Array;
  };
  const first = await run();
  const second = await run();
  assert.deepEqual(Array.from(second), Array.from(first));
  // Row 0 is picked at positions 0, 13, 26, ...: its gradient sums those rows of g.
  const gv = await g.data();
  let expected = 0;
  for (let l = 0; l < 400; l++) if ((l * 7) % 13 === 0) expected += gv[l * 6];
  assert(Math.abs(first[0] - expected) < 1e-5, `row 0 gradient ${first[0]}, expected ${expected}`);
  const bad = await F.embedding(tensor(new Int32Array([1, 13])), table).data();
  assert(Number.isFinite(bad[0]) && Number.isNaN(bad[6]));
});
