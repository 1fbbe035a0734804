import assert from "node:assert/strict";
import { manualSeed, nn, randn, type Tensor, tensor, tidy, zeros } from "../../mod.ts";
import { load, save } from "../../src/io/mod.ts";

/** A module with a persistent and a non-persistent buffer, like BatchNorm's bookkeeping. */
class Stats extends nn.Module {
  constructor() {
    super();
    this.registerParameter("scale", tensor([1, 2, 3]));
    this.registerBuffer("running_mean", zeros([3]));
    this.registerBuffer("cache", zeros([2]), false);
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.getParameter("scale")!);
  }
}

class Net extends nn.Module {
  fc1 = new nn.Linear({ inFeatures: 3, outFeatures: 4 });
  block = new nn.Sequential(
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 4, outFeatures: 3, bias: false }),
  );
  stats = new Stats();
  forward(x: Tensor): Tensor {
    return this.stats.call(this.block.call(this.fc1.call(x)));
  }
}

async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

Deno.test("parameters, buffers and state-dict keys follow PyTorch's dotted names", () => {
  const net = new Net();
  assert.deepEqual([...net.namedParameters()].map(([k]) => k), [
    "fc1.weight",
    "fc1.bias",
    "block.1.weight",
    "stats.scale",
  ]);
  assert.deepEqual([...net.namedBuffers()].map(([k]) => k), ["stats.running_mean", "stats.cache"]);
  assert.deepEqual(Object.keys(net.stateDict()), [
    "fc1.weight",
    "fc1.bias",
    "block.1.weight",
    "stats.scale",
    "stats.running_mean",
  ]);
  assert.equal(net.parameters().length, 4);
  assert.ok(net.parameters().every((p) => p.requiresGrad));
  assert.equal(net.numParameters(), 3 * 4 + 4 + 4 * 3 + 3);
  assert.deepEqual(net.parameters(false), []);
  assert.deepEqual([...net.namedModules()].map(([k]) => k), [
    "",
    "fc1",
    "block",
    "block.0",
    "block.1",
    "stats",
  ]);
  assert.deepEqual([...net.namedChildren()].map(([k]) => k), ["fc1", "block", "stats"]);
  assert.equal(net.stateDict()["fc1.weight"], net.fc1.weight); // live tensors, not copies
  assert.equal(net.block.at(1)!.getParameter("bias"), null);
});

Deno.test("a parameter shared by two layers is listed once", () => {
  const a = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
  const b = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
  b.weight = a.weight;
  const seq = new nn.Sequential(a, b);
  assert.deepEqual([...seq.namedParameters()].map(([k]) => k), ["0.weight", "0.bias", "1.bias"]);
  // The same module twice appears once in the module walk too.
  const twice = new nn.Sequential(a, a);
  assert.deepEqual([...twice.namedModules()].map(([k]) => k), ["", "0"]);
});

Deno.test("registration: property access, reassignment, null placeholders and bad names", () => {
  const lin = new nn.Linear({ inFeatures: 2, outFeatures: 3, bias: false });
  assert.equal(lin.bias, null);
  assert.deepEqual(Object.keys(lin.stateDict()), ["weight"]);
  const w = zeros([3, 2]);
  lin.weight = w;
  assert.equal(lin.getParameter("weight"), w);
  assert.equal(w.requiresGrad, true);
  assert.throws(() => {
    (lin as unknown as { weight: unknown }).weight = [1, 2];
  }, /Linear.weight must be a Tensor or null, got object/);
  assert.throws(() => lin.registerParameter("a.b", zeros([1])), /without '.', got 'a.b'/);
  assert.throws(
    () => lin.registerBuffer("weight", zeros([1])),
    /already has a parameter named 'weight'/,
  );
  assert.throws(() => lin.getParameter("nope"), /Linear has no parameter 'nope'/);
  assert.throws(() => lin.getBuffer("nope"), /Linear has no buffer 'nope'/);
  // Parameters and buffers are not enumerable: no clutter in Object.keys or console.log.
  assert.ok(!Object.keys(lin).includes("weight"));
});

Deno.test("loadStateDict copies values in place and reports or rejects key mismatches", async () => {
  manualSeed(1);
  const src = new Net();
  manualSeed(2);
  const dst = new Net();
  const weightBefore = dst.fc1.weight;
  assert.notDeepEqual(await values(dst.fc1.weight), await values(src.fc1.weight));
  const result = dst.loadStateDict(src.stateDict());
  assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
  assert.equal(dst.fc1.weight, weightBefore); // same tensor: an optimizer made earlier still works
  for (const [k, v] of Object.entries(src.stateDict())) {
    assert.deepEqual(await values(dst.stateDict()[k]), await values(v), k);
  }
  const x = randn([5, 3]);
  assert.deepEqual(await values(dst.call(x)), await values(src.call(x)));

  const partial = { ...src.stateDict(), extra: zeros([1]) };
  delete (partial as Record<string, Tensor>)["fc1.bias"];
  assert.throws(
    () => dst.loadStateDict(partial),
    /loadStateDict\(\) into Net failed; missing keys: fc1.bias; unexpected keys: extra/,
  );
  assert.deepEqual(dst.loadStateDict(partial, { strict: false }), {
    missingKeys: ["fc1.bias"],
    unexpectedKeys: ["extra"],
  });
  assert.throws(
    () => dst.loadStateDict({ ...src.stateDict(), "fc1.weight": zeros([3, 4]) }),
    /'fc1.weight' has shape \[3,4\], the module expects \[4,3\]/,
  );
  assert.throws(
    () =>
      dst.loadStateDict({
        ...src.stateDict(),
        "stats.running_mean": zeros([3], { dtype: "int32" }),
      }),
    /'stats.running_mean' has dtype int32, the module expects float32/,
  );
});

Deno.test("train(), eval() and apply() reach every submodule", () => {
  const net = new Net();
  assert.ok([...net.modules()].every((m) => m.training));
  assert.equal(net.eval(), net);
  assert.ok([...net.modules()].every((m) => !m.training));
  net.block.train();
  assert.deepEqual([...net.modules()].map((m) => m.training), [
    false,
    false,
    true,
    true,
    true,
    false,
  ]);
  net.train();
  const order: string[] = [];
  net.apply((m) => order.push(m.constructor.name));
  assert.deepEqual(order, ["Linear", "ReLU", "Linear", "Sequential", "Stats", "Net"]);
});

Deno.test("call() runs forward; zeroGrad clears gradients", async () => {
  const lin = new nn.Linear({ inFeatures: 3, outFeatures: 2 });
  lin.loadStateDict({ weight: tensor([[1, 0, 2], [0, -1, 0]]), bias: tensor([0.5, 0]) });
  const x = tensor([[1, 2, 3]]);
  assert.deepEqual(await values(lin.call(x)), [7.5, -2]);
  assert.deepEqual(await values(lin.forward(x)), [7.5, -2]);
  lin.call(x).sum().backward();
  assert.deepEqual(await values(lin.weight.grad!), [1, 2, 3, 1, 2, 3]);
  lin.zeroGrad();
  assert.equal(lin.weight.grad, null);
  assert.equal(lin.bias!.grad, null);
});

Deno.test("Sequential from an options object or from layers, named layers, errors", () => {
  const a = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
  const b = new nn.ReLU();
  const s1 = new nn.Sequential({ layers: [a, b] });
  const s2 = new nn.Sequential(a, b);
  assert.deepEqual(s1.layers(), [a, b]);
  assert.deepEqual(s2.layers(), [a, b]);
  assert.equal(s1.length, 2);
  assert.equal(s1.at(-1), b);
  const named = new nn.Sequential({ layers: { fc: a, act: b } });
  assert.deepEqual(Object.keys(named.stateDict()), ["fc.weight", "fc.bias"]);
  assert.throws(
    () => new nn.Sequential({ layers: [a, "relu" as unknown as nn.Linear] }),
    /Sequential: layer '1' must be a Module, got string/,
  );
  assert.throws(
    () => new nn.Sequential({ layers: { forward: b } }),
    /layer name 'forward' is taken/,
  );
  assert.equal(
    String(s2),
    "Sequential(\n  (0): Linear(in_features=2, out_features=2, bias=true)\n  (1): ReLU()\n)",
  );
});

Deno.test("parameters built inside tidy() survive the scope", async () => {
  const lin = tidy(() => new nn.Linear({ inFeatures: 2, outFeatures: 2 }));
  assert.ok(!lin.weight.disposed && !lin.bias!.disposed);
  assert.equal((await lin.weight.data()).length, 4);
});

Deno.test("a state dict saved as safetensors loads into a fresh model", async () => {
  manualSeed(3);
  const net = new Net();
  const dir = await Deno.makeTempDir();
  await save(`${dir}/net.safetensors`, net.stateDict(), { arch: "Net" });
  manualSeed(4);
  const fresh = new Net();
  const { tensors, metadata } = await load(`${dir}/net.safetensors`);
  fresh.loadStateDict(tensors);
  assert.equal(metadata.arch, "Net");
  const x = randn([2, 3]);
  assert.deepEqual(await values(fresh.call(x)), await values(net.call(x)));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ModuleList registers its modules: parameters, state-dict keys, train/eval", () => {
  class Tower extends nn.Module {
    blocks = new nn.ModuleList([
      new nn.Linear({ inFeatures: 3, outFeatures: 3 }),
      new nn.Linear({ inFeatures: 3, outFeatures: 2 }),
    ]);
    forward(x: Tensor): Tensor {
      for (const block of this.blocks) x = (block as nn.Linear).call(x);
      return x;
    }
  }
  const tower = new Tower();
  assert.deepEqual(Object.keys(tower.stateDict()), [
    "blocks.0.weight",
    "blocks.0.bias",
    "blocks.1.weight",
    "blocks.1.bias",
  ]);
  assert.equal([...tower.parameters()].length, 4);
  assert.equal(tower.blocks.length, 2);
  assert.ok(tower.blocks.at(-1) instanceof nn.Linear);
  tower.eval();
  assert.equal(tower.blocks.at(0)!.training, false);
  assert.deepEqual(tower.call(tensor([[1, 2, 3]])).shape, [1, 2]);
  assert.throws(() => tower.blocks.call(), /ModuleList has no forward\(\); iterate over it/);
  assert.throws(
    () => new nn.ModuleList([tensor([1]) as unknown as nn.Linear]),
    /item 0 must be a Module/,
  );
});
