import assert from "node:assert/strict";
import { manualSeed, nn, randn, type Tensor, tensor, zeros } from "../../mod.ts";
import { assertClose, type FixtureTensor, fromFixture, loadFixtures } from "../_helpers.ts";

interface LayerCase {
  layer: string;
  options: Record<string, unknown>;
  training: boolean;
  state: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  grad_output: FixtureTensor;
  input_grad: FixtureTensor | null;
  param_grads: Record<string, FixtureTensor>;
  state_after: Record<string, FixtureTensor>;
}

const cases = await loadFixtures<Record<string, LayerCase>>("layers");

// deno-lint-ignore no-explicit-any
type AnyOptions = any;
const BUILD: Record<string, (o: AnyOptions) => nn.Module> = {
  Linear: (o) => new nn.Linear(o),
  Conv2d: (o) => new nn.Conv2d(o),
  MaxPool2d: (o) => new nn.MaxPool2d(o),
  AvgPool2d: (o) => new nn.AvgPool2d(o),
  AdaptiveAvgPool2d: (o) => new nn.AdaptiveAvgPool2d(o),
  ReLU: () => new nn.ReLU(),
  GELU: () => new nn.GELU(),
  Sigmoid: () => new nn.Sigmoid(),
  Tanh: () => new nn.Tanh(),
  Flatten: (o) => new nn.Flatten(o),
  Dropout: (o) => new nn.Dropout(o),
  Embedding: (o) => new nn.Embedding(o),
  BatchNorm1d: (o) => new nn.BatchNorm1d(o),
  BatchNorm2d: (o) => new nn.BatchNorm2d(o),
  LayerNorm: (o) => new nn.LayerNorm(o),
  // Layers written "Linear:in:out" or "ReLU" by the fixture script.
  Sequential: (o: { layers: string[] }) =>
    new nn.Sequential({
      layers: o.layers.map((spec) => {
        const [kind, a, b] = spec.split(":");
        return kind === "Linear"
          ? new nn.Linear({ inFeatures: Number(a), outFeatures: Number(b) })
          : BUILD[kind]({}) as nn.Linear;
      }),
    }),
};

for (const [name, c] of Object.entries(cases)) {
  Deno.test(`${c.layer} matches torch: ${name}`, async () => {
    manualSeed(0);
    const layer = BUILD[c.layer](c.options);
    const state = Object.fromEntries(
      Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)]),
    );
    assert.deepEqual(Object.keys(layer.stateDict()).sort(), Object.keys(state).sort());
    layer.loadStateDict(state);
    layer.train(c.training);
    const x = fromFixture(c.input, c.input_grad !== null);
    const y = layer.call(x) as Tensor;
    await assertClose(y, c.output, `${name} output`);
    y.backward(fromFixture(c.grad_output));
    if (c.input_grad) await assertClose(x.grad!, c.input_grad, `${name} input grad`);
    const params = Object.fromEntries(layer.namedParameters());
    assert.deepEqual(Object.keys(c.param_grads).sort(), Object.keys(params).sort());
    for (const [key, g] of Object.entries(c.param_grads)) {
      await assertClose(params[key].grad!, g, `${name} ${key}.grad`);
    }
    const after = layer.stateDict();
    for (const [key, v] of Object.entries(c.state_after)) {
      await assertClose(after[key], v, `${name} ${key} after the step`);
    }
  });
}

async function stats(
  t: Tensor,
): Promise<{ min: number; max: number; mean: number; variance: number }> {
  const v = await t.data();
  let sum = 0, sq = 0, min = Infinity, max = -Infinity;
  for (const x of v) {
    sum += x;
    sq += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / v.length;
  return { min, max, mean, variance: sq / v.length - mean * mean };
}

Deno.test("Linear and Conv2d default init: U(±1/sqrt(fanIn)) for weights and biases", async () => {
  manualSeed(11);
  const lin = new nn.Linear({ inFeatures: 400, outFeatures: 250 });
  const bound = 1 / 20;
  const w = await stats(lin.weight);
  assert.ok(w.min >= -bound && w.max <= bound, `weight in [${w.min}, ${w.max}]`);
  assert.ok(w.min < -0.99 * bound && w.max > 0.99 * bound, "weight fills its range");
  assert.ok(Math.abs(w.mean) < 0.002, `weight mean ${w.mean}`);
  assert.ok(Math.abs(w.variance / (bound * bound / 3) - 1) < 0.03, `weight variance ${w.variance}`);
  const b = await stats(lin.bias!);
  assert.ok(
    b.min >= -bound && b.max <= bound && b.max - b.min > bound,
    `bias [${b.min}, ${b.max}]`,
  );

  const conv = new nn.Conv2d({ inChannels: 8, outChannels: 64, kernelSize: 3, groups: 2 });
  assert.deepEqual(conv.weight.shape, [64, 4, 3, 3]);
  const cb = 1 / Math.sqrt(4 * 9); // fanIn = inChannels/groups * kH * kW
  const cw = await stats(conv.weight);
  assert.ok(
    cw.min >= -cb && cw.max <= cb && cw.max > 0.98 * cb,
    `conv weight [${cw.min}, ${cw.max}]`,
  );
  assert.ok(
    Math.abs(cw.variance / (cb * cb / 3) - 1) < 0.05,
    `conv weight variance ${cw.variance}`,
  );
  const cbias = await stats(conv.bias!);
  assert.ok(cbias.min >= -cb && cbias.max <= cb, `conv bias [${cbias.min}, ${cbias.max}]`);
});

Deno.test("Embedding init is N(0, 1) with a zero padding row; norms start at ones and zeros", async () => {
  manualSeed(5);
  const emb = new nn.Embedding({ numEmbeddings: 200, embeddingDim: 50, paddingIdx: -1 });
  assert.equal(emb.paddingIdx, 199);
  const e = await stats(emb.weight);
  assert.ok(
    Math.abs(e.mean) < 0.03 && Math.abs(e.variance - 1) < 0.05,
    `N(0,1)? ${e.mean} ${e.variance}`,
  );
  const rows = await emb.weight.data();
  assert.ok(rows.subarray(199 * 50).every((v) => v === 0), "padding row is zero");
  assert.ok(rows.subarray(198 * 50, 199 * 50).some((v) => v !== 0));

  const bn = new nn.BatchNorm2d({ numFeatures: 3 });
  assert.deepEqual(Array.from(await bn.weight!.data()), [1, 1, 1]);
  assert.deepEqual(Array.from(await bn.bias!.data()), [0, 0, 0]);
  assert.deepEqual(Array.from(await bn.runningMean!.data()), [0, 0, 0]);
  assert.deepEqual(Array.from(await bn.runningVar!.data()), [1, 1, 1]);
  assert.equal(bn.numBatchesTracked!.dtype, "int32");
  assert.equal(await bn.numBatchesTracked!.item(), 0);
  assert.equal(bn.weight!.requiresGrad, true);
  assert.equal(bn.runningMean!.requiresGrad, false);
  const ln = new nn.LayerNorm({ normalizedShape: [2, 3] });
  assert.deepEqual(Array.from(await ln.weight!.data()), [1, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(await ln.bias!.data()), [0, 0, 0, 0, 0, 0]);
});

Deno.test("initialisation is reproducible from manualSeed", async () => {
  manualSeed(42);
  const a = new nn.Linear({ inFeatures: 5, outFeatures: 3 });
  manualSeed(42);
  const b = new nn.Linear({ inFeatures: 5, outFeatures: 3 });
  const c = new nn.Linear({ inFeatures: 5, outFeatures: 3 });
  assert.deepEqual(await a.weight.data(), await b.weight.data());
  assert.deepEqual(await a.bias!.data(), await b.bias!.data());
  assert.notDeepEqual(await b.weight.data(), await c.weight.data());
});

Deno.test("nn.init: gains, fans, Kaiming and Xavier scales", async () => {
  assert.equal(nn.init.calculateGain("relu"), Math.SQRT2);
  assert.equal(nn.init.calculateGain("tanh"), 5 / 3);
  assert.equal(nn.init.calculateGain("leaky_relu", Math.sqrt(5)), Math.sqrt(1 / 3));
  assert.deepEqual(nn.init.fans([16, 3, 5, 5]), { fanIn: 75, fanOut: 400 });
  assert.throws(() => nn.init.fans([7]), /2 or more dims, got shape \[7\]/);
  manualSeed(9);
  const kn = await stats(nn.init.kaimingNormal(zeros([100, 200]), { nonlinearity: "relu" }));
  assert.ok(Math.abs(kn.variance / (2 / 200) - 1) < 0.03, `kaiming normal variance ${kn.variance}`);
  const kf = await stats(
    nn.init.kaimingUniform(zeros([100, 200]), { mode: "fanOut", nonlinearity: "relu" }),
  );
  const kb = Math.sqrt(3) * Math.SQRT2 / 10;
  assert.ok(
    kf.max <= kb && kf.min >= -kb && kf.max > 0.99 * kb,
    `kaiming uniform fanOut ${kf.max}`,
  );
  const xu = await stats(nn.init.xavierUniform(zeros([100, 200]), 2));
  const xb = 2 * Math.sqrt(6 / 300);
  assert.ok(xu.max <= xb && xu.min >= -xb && xu.max > 0.99 * xb, `xavier uniform ${xu.max}`);
  const xn = await stats(nn.init.xavierNormal(zeros([100, 200])));
  assert.ok(Math.abs(xn.variance / (2 / 300) - 1) < 0.03, `xavier normal variance ${xn.variance}`);
  const t = zeros([3]);
  assert.equal(nn.init.constant(t, 2.5), t); // in place: the same tensor comes back
  assert.deepEqual(Array.from(await t.data()), [2.5, 2.5, 2.5]);
});

Deno.test("BatchNorm counts batches only in training; eval uses running statistics", async () => {
  const bn = new nn.BatchNorm1d({ numFeatures: 2 });
  bn.call(tensor([[1, 2], [3, 6]]));
  bn.call(tensor([[1, 2], [3, 6]]));
  assert.equal(await bn.numBatchesTracked!.item(), 2);
  await assertClose(bn.runningMean!, [0.38, 0.76], "running mean after two steps");
  bn.eval();
  const before = await bn.runningMean!.data();
  await assertClose(bn.call(tensor([[0.38, 0.76]])), [0, 0], "eval output", { atol: 1e-5 });
  assert.equal(await bn.numBatchesTracked!.item(), 2);
  assert.deepEqual(await bn.runningMean!.data(), before);
  const free = new nn.BatchNorm1d({ numFeatures: 2, trackRunningStats: false });
  assert.deepEqual(Object.keys(free.stateDict()), ["weight", "bias"]);
  free.eval(); // no running statistics: batch statistics even in eval
  await assertClose(free.call(tensor([[1, 2], [3, 6]])), [-1, -1, 1, 1], "untracked eval", {
    rtol: 1e-3,
  });
});

Deno.test("layers reject wrong inputs and options with clear messages", () => {
  assert.throws(
    () => new nn.Linear({ inFeatures: 2.5, outFeatures: 1 }),
    /Linear: inFeatures must be an integer >= 0, got 2.5/,
  );
  const lin = new nn.Linear({ inFeatures: 3, outFeatures: 2 });
  assert.throws(
    () => lin.call(zeros([4, 5])),
    /Linear expects inputs whose last dim is inFeatures = 3, got shape \[4,5\]/,
  );
  assert.throws(
    () => new nn.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, groups: 2 }),
    /inChannels \(3\) and outChannels \(4\) must divide by groups \(2\)/,
  );
  const conv = new nn.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3 });
  assert.throws(
    () => conv.call(zeros([1, 2, 5, 5])),
    /Conv2d expects \[N, 3, H, W\] or \[3, H, W\], got \[1,2,5,5\]/,
  );
  assert.throws(
    () => new nn.BatchNorm2d({ numFeatures: 2 }).call(zeros([2, 2])),
    /BatchNorm2d expects a 4-D input/,
  );
  assert.throws(
    () => new nn.BatchNorm1d({ numFeatures: 3 }).call(zeros([2, 2])),
    /expects 3 channels in dim 1, got shape \[2,2\]/,
  );
  assert.throws(
    () => new nn.Dropout({ p: 1.5 }),
    /Dropout: p must be a probability in \[0, 1\], got 1.5/,
  );
  assert.throws(
    () => new nn.Embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: 4 }),
    /paddingIdx must be an integer in \[-4, 4\), got 4/,
  );
  assert.throws(() => new nn.LayerNorm({ normalizedShape: [] }), /normalizedShape must be given/);
});

Deno.test("Dropout drops in training and passes through after eval()", async () => {
  manualSeed(1);
  const drop = new nn.Dropout({ p: 0.25 });
  const y = await drop.call(randn([4000]).abs().add(1)).data();
  const zerosSeen = y.filter((v) => v === 0).length;
  assert.ok(Math.abs(zerosSeen / 4000 - 0.25) < 0.03, `dropped ${zerosSeen} of 4000`);
  drop.eval();
  const x = tensor([1, -2, 3]);
  assert.deepEqual(Array.from(await drop.call(x).data()), [1, -2, 3]);
});

Deno.test("a conv net from Sequential runs end to end with the expected shapes", () => {
  manualSeed(0);
  const net = new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }),
    new nn.BatchNorm2d({ numFeatures: 4 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.AdaptiveAvgPool2d({ outputSize: 2 }),
    new nn.Flatten(),
    new nn.Dropout({ p: 0.1 }),
    new nn.Linear({ inFeatures: 16, outFeatures: 3 }),
  );
  assert.deepEqual(Object.keys(net.stateDict()), [
    "0.weight",
    "0.bias",
    "1.weight",
    "1.bias",
    "1.running_mean",
    "1.running_var",
    "1.num_batches_tracked",
    "7.weight",
    "7.bias",
  ]);
  const y = net.call(randn([2, 1, 9, 9]));
  assert.deepEqual(y.shape, [2, 3]);
  y.sum().backward();
  assert.ok(net.parameters().every((p) => p.grad !== null));
});
