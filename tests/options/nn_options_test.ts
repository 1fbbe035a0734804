/**
 * nn layers and loss modules reject unknown options, naming the class, the key and the closest
 * valid names; the options they document still build.
 */
import assert from "node:assert/strict";
import { nn, randn, tensor } from "../../mod.ts";

/** Builds with options the type system would refuse, as a YAML config can pass them. */
// deno-lint-ignore no-explicit-any
type Loose = any;

/** Asserts that `build` throws a TypeError whose message is exactly `message`. */
function assertRejects(build: () => unknown, message: string): void {
  assert.throws(build, (e: unknown) => {
    assert(e instanceof TypeError, `expected a TypeError, got ${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("nn.Linear: 'bais' is rejected with a suggestion of 'bias'", () => {
  assertRejects(
    () => new nn.Linear({ inFeatures: 4, outFeatures: 2, bais: false } as Loose),
    "Linear has no option 'bais'. Did you mean 'bias'? Valid options: inFeatures, outFeatures, bias",
  );
  const fc = new nn.Linear({ inFeatures: 4, outFeatures: 2, bias: false });
  assert.equal(fc.bias, null);
  assert.deepEqual(fc.weight.shape, [2, 4]);
});

Deno.test("nn.Conv2d: 'paddin' is rejected with a suggestion of 'padding'", () => {
  assertRejects(
    () => new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, paddin: 1 } as Loose),
    "Conv2d has no option 'paddin'. Did you mean 'padding'? Valid options: inChannels, " +
      "outChannels, kernelSize, stride, padding, dilation, groups, bias",
  );
  const conv = new nn.Conv2d({
    inChannels: 2,
    outChannels: 4,
    kernelSize: 3,
    stride: 1,
    padding: 1,
    dilation: 1,
    groups: 2,
    bias: true,
  });
  assert.deepEqual(conv.call(randn([1, 2, 5, 5])).shape, [1, 4, 5, 5]);
});

Deno.test("nn.Dropout: 'prob' is rejected with a suggestion of 'p'", () => {
  assertRejects(
    () => new nn.Dropout({ prob: 0.9 } as Loose),
    "Dropout has no option 'prob'. Did you mean 'p'? Valid options: p",
  );
  assert.equal(new nn.Dropout({ p: 0.9 }).p, 0.9);
  assert.equal(new nn.Dropout().p, 0.5);
});

Deno.test("nn.BatchNorm1d/2d name themselves and suggest 'momentum'", () => {
  const valid = "Valid options: numFeatures, eps, momentum, affine, trackRunningStats";
  assertRejects(
    () => new nn.BatchNorm1d({ numFeatures: 3, momentun: 0.2 } as Loose),
    `BatchNorm1d has no option 'momentun'. Did you mean 'momentum'? ${valid}`,
  );
  assertRejects(
    () => new nn.BatchNorm2d({ numFeatures: 3, momentun: 0.2 } as Loose),
    `BatchNorm2d has no option 'momentun'. Did you mean 'momentum'? ${valid}`,
  );
  const bn = new nn.BatchNorm2d({
    numFeatures: 3,
    eps: 1e-3,
    momentum: 0.2,
    affine: false,
    trackRunningStats: true,
  });
  assert.equal(bn.momentum, 0.2);
  assert.equal(bn.weight, null);
});

Deno.test("nn.LayerNorm, nn.Embedding, nn.Flatten reject near misses", () => {
  assertRejects(
    () => new nn.LayerNorm({ normalizedShape: 4, elementwiseAfine: false } as Loose),
    "LayerNorm has no option 'elementwiseAfine'. Did you mean 'elementwiseAffine'? " +
      "Valid options: normalizedShape, eps, elementwiseAffine, bias",
  );
  assertRejects(
    () => new nn.Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIndex: 0 } as Loose),
    "Embedding has no option 'paddingIndex'. Did you mean 'paddingIdx'? " +
      "Valid options: numEmbeddings, embeddingDim, paddingIdx",
  );
  assertRejects(
    () => new nn.Flatten({ startdim: 0 } as Loose),
    "Flatten has no option 'startdim'. Did you mean 'startDim'? Valid options: startDim, endDim",
  );
  assert.equal(new nn.LayerNorm({ normalizedShape: 4, elementwiseAffine: false }).weight, null);
  assert.equal(
    new nn.Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIdx: -1 }).paddingIdx,
    4,
  );
  assert.deepEqual(new nn.Flatten({ startDim: 0, endDim: 1 }).call(randn([2, 3, 4])).shape, [
    6,
    4,
  ]);
});

Deno.test("nn pooling layers reject unknown options and build from the valid ones", () => {
  assertRejects(
    () => new nn.MaxPool2d({ kernelSize: 2, strides: 2 } as Loose),
    "MaxPool2d has no option 'strides'. Did you mean 'stride'? " +
      "Valid options: kernelSize, stride, padding, dilation",
  );
  assertRejects(
    () => new nn.AvgPool2d({ kernelSize: 2, countIncludePadding: false } as Loose),
    "AvgPool2d has no option 'countIncludePadding'. Did you mean 'countIncludePad'? " +
      "Valid options: kernelSize, stride, padding, countIncludePad",
  );
  assertRejects(
    () => new nn.AdaptiveAvgPool2d({ outputSize: 1, outSize: 2 } as Loose),
    "AdaptiveAvgPool2d has no option 'outSize'. Did you mean 'outputSize'? " +
      "Valid options: outputSize",
  );
  const x = randn([1, 1, 4, 4]);
  assert.deepEqual(
    new nn.MaxPool2d({ kernelSize: 2, stride: 2, padding: 0, dilation: 1 }).call(x).shape,
    [1, 1, 2, 2],
  );
  assert.deepEqual(
    new nn.AvgPool2d({ kernelSize: 2, stride: 1, padding: 1, countIncludePad: false }).call(x)
      .shape,
    [1, 1, 5, 5],
  );
  assert.deepEqual(new nn.AdaptiveAvgPool2d({ outputSize: 1 }).call(x).shape, [1, 1, 1, 1]);
});

Deno.test("nn loss modules reject unknown options; valid ones still apply", async () => {
  assertRejects(
    () => new nn.CrossEntropyLoss({ labelSmothing: 0.1 } as Loose),
    "CrossEntropyLoss has no option 'labelSmothing'. Did you mean 'labelSmoothing'? " +
      "Valid options: labelSmoothing, reduction, ignoreIndex, weight",
  );
  assertRejects(
    () => new nn.MSELoss({ reductoin: "sum" } as Loose),
    "MSELoss has no option 'reductoin'. Did you mean 'reduction'? Valid options: reduction",
  );
  assertRejects(
    () => new nn.L1Loss({ reducton: "sum" } as Loose),
    "L1Loss has no option 'reducton'. Did you mean 'reduction'? Valid options: reduction",
  );
  assertRejects(
    () => new nn.BCEWithLogitsLoss({ pos_weight: tensor([2]) } as Loose),
    "BCEWithLogitsLoss has no option 'pos_weight'. Did you mean 'posWeight'? " +
      "Valid options: reduction, posWeight, weight",
  );
  // |1-1| + |2-4| = 2 summed; the option is applied, not only accepted.
  assert.equal(
    await new nn.L1Loss({ reduction: "sum" }).call(tensor([1, 2]), tensor([1, 4])).item(),
    2,
  );
  const ce = new nn.CrossEntropyLoss({ ignoreIndex: 1, reduction: "sum" });
  // Only row 0 counts: -log softmax([0, 0])[0] = log 2.
  const value = await ce.call(tensor([[0, 0], [5, 0]]), tensor(new Int32Array([0, 1]))).item();
  assert(Math.abs(value - Math.LN2) < 1e-6, `expected log 2, got ${value}`);
});

Deno.test("the functional losses reject unknown options too", () => {
  const x = tensor([[1, 2]]);
  assert.throws(
    () => nn.functional.crossEntropy(x, tensor(new Int32Array([0])), { ignore_index: 0 } as Loose),
    /^TypeError: crossEntropy has no option 'ignore_index'\. Did you mean 'ignoreIndex'\?/,
  );
  assert.throws(
    () => nn.functional.mseLoss(x, x, { reductio: "sum" } as Loose),
    /^TypeError: mseLoss has no option 'reductio'\. Did you mean 'reduction'\?/,
  );
});

Deno.test("activations take no options: any option is an error naming it", () => {
  for (
    const [name, build] of [
      ["ReLU", (o: Loose) => new nn.ReLU(o)],
      ["GELU", (o: Loose) => new nn.GELU(o)],
      ["Sigmoid", (o: Loose) => new nn.Sigmoid(o)],
      ["Tanh", (o: Loose) => new nn.Tanh(o)],
    ] as const
  ) {
    assertRejects(
      () => build({ inplace: true }),
      `${name} has no option 'inplace': it takes no options`,
    );
    assert(build({}) instanceof nn.Module);
  }
});

Deno.test("nn.Sequential and nn.ModuleList check their options object", () => {
  const fc = () => new nn.Linear({ inFeatures: 2, outFeatures: 2 });
  assertRejects(
    () => new nn.Sequential({ layer: [fc()] } as Loose),
    "Sequential has no option 'layer'. Did you mean 'layers'? Valid options: layers",
  );
  assertRejects(
    () => new nn.ModuleList({ module: [fc()] } as Loose),
    "ModuleList has no option 'module'. Did you mean 'modules'? Valid options: modules",
  );
  assert.equal(new nn.Sequential({ layers: [fc(), new nn.ReLU()] }).length, 2);
  const named = new nn.Sequential({ layers: { a: fc(), b: fc() } });
  assert.deepEqual(Object.keys(named.stateDict()), ["a.weight", "a.bias", "b.weight", "b.bias"]);
  assert.equal(new nn.ModuleList({ modules: [fc(), fc(), fc()] }).length, 3);
  assert.equal(new nn.Sequential(fc(), fc()).length, 2);
});
