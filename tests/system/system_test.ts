import assert from "node:assert/strict";
import * as nn from "../../src/nn/mod.ts";
import * as optim from "../../src/optim/mod.ts";
import { type Tensor, tensor } from "../../src/tensor/mod.ts";
import { adapters, System } from "../../src/system/mod.ts";
import {
  batch,
  hostCrossEntropy,
  hostLogits,
  linear,
  PredMean,
  RecordingHost,
  X,
  Y,
} from "./_helpers.ts";
import type { Mode } from "../../src/system/mod.ts";

function makeSystem(extra: Record<string, unknown> = {}): System {
  const model = linear();
  return new System({
    model,
    criterion: new nn.CrossEntropyLoss(),
    optimizer: new optim.SGD({ params: model.parameters(), lr: 0.1, momentum: 0.9 }),
    metrics: { train: [new PredMean()], val: [new PredMean()], test: { mean: new PredMean() } },
    ...extra,
  });
}

function run(system: System, mode: Mode, batchIdx = 0, host = new RecordingHost(mode)) {
  system.attach(host);
  return { out: system.step(batch(), batchIdx), host };
}

const logitsMean = hostLogits().flat().reduce((a, b) => a + b, 0) / 9;

Deno.test("System train step: loss equals the criterion, keys, options and optimizer stats", async () => {
  const system = makeSystem();
  const { out, host } = run(system, "train");
  assert.deepEqual(host.names, [
    "train/loss/step",
    "train/loss/epoch",
    "train/metrics/PredMean/step",
    "train/metrics/PredMean/epoch",
    "train/optimizer/SGD/lr",
    "train/optimizer/SGD/momentum",
  ]);
  const expected = hostCrossEntropy(hostLogits(), Y);
  const loss = out.loss as Tensor;
  assert.ok(Math.abs((await loss.item()) - expected) < 1e-5, `${await loss.item()} vs ${expected}`);
  assert.ok(loss.node !== null, "the returned loss keeps its graph for backward");
  const step = host.get("train/loss/step");
  assert.deepEqual(step.options, { onStep: true, onEpoch: false, batchSize: 3 });
  assert.deepEqual(host.get("train/loss/epoch").options, {
    onStep: false,
    onEpoch: true,
    batchSize: 3,
  });
  const logged = step.value as Tensor;
  assert.equal(logged.node, null, "logged values are detached");
  assert.equal(logged.requiresGrad, false);
  assert.ok(Math.abs((await logged.item()) - expected) < 1e-5);
  const metricStep = host.get("train/metrics/PredMean/step");
  assert.deepEqual(metricStep.options, { onStep: true, onEpoch: false, batchSize: 3 });
  assert.ok(Math.abs((await (metricStep.value as Tensor).item()) - logitsMean) < 1e-5);
  const metricEpoch = host.get("train/metrics/PredMean/epoch");
  assert.equal(metricEpoch.value, system.metrics.train!.PredMean, "the epoch value is the Metric");
  assert.deepEqual(metricEpoch.options, { onStep: false, onEpoch: true, batchSize: 3 });
  assert.equal(host.get("train/optimizer/SGD/lr").value, 0.1);
  assert.equal(host.get("train/optimizer/SGD/momentum").value, 0.9);
  assert.deepEqual(host.get("train/optimizer/SGD/lr").options, {
    onStep: false,
    onEpoch: true,
    batchSize: 3,
  });
  assert.deepEqual(Object.keys(out.metrics!), ["PredMean"]);
  assert.equal(out.step, 17);
  assert.equal(out.epoch, 3);
  assert.equal(out.identifier, null);
  assert.deepEqual(await (out.target as Tensor).data(), new Int32Array(Y));
  assert.deepEqual(await (out.pred as Tensor).array(), await tensor(hostLogits()).array());
});

Deno.test("System train step after the first batch logs no optimizer stats", () => {
  const { host } = run(makeSystem(), "train", 1);
  assert.deepEqual(host.names, [
    "train/loss/step",
    "train/loss/epoch",
    "train/metrics/PredMean/step",
    "train/metrics/PredMean/epoch",
  ]);
});

Deno.test("System val step: loss and metrics, no optimizer stats", async () => {
  const { out, host } = run(makeSystem(), "val");
  assert.deepEqual(host.names, [
    "val/loss/step",
    "val/loss/epoch",
    "val/metrics/PredMean/step",
    "val/metrics/PredMean/epoch",
  ]);
  const expected = hostCrossEntropy(hostLogits(), Y);
  assert.ok(Math.abs((await (out.loss as Tensor).item()) - expected) < 1e-5);
});

Deno.test("System test step: metrics only (dict names), loss null", async () => {
  const system = makeSystem();
  const { out, host } = run(system, "test");
  assert.deepEqual(host.names, ["test/metrics/mean/step", "test/metrics/mean/epoch"]);
  assert.equal(out.loss, null);
  assert.ok(Math.abs((await out.metrics!.mean.item()) - logitsMean) < 1e-5);
  // forward accumulated the batch into the metric the epoch value is computed from.
  assert.ok(Math.abs((await system.metrics.test!.mean.compute().item()) - logitsMean) < 1e-5);
});

Deno.test("System predict step: the whole batch is the input, nothing is logged", async () => {
  const system = makeSystem();
  const host = new RecordingHost("predict");
  system.attach(host);
  const x = tensor(X);
  const out = system.step(x, 0);
  assert.deepEqual(host.names, []);
  assert.equal(out.loss, null);
  assert.equal(out.metrics, null);
  assert.equal(out.input, x);
  assert.equal(out.target, null);
  assert.deepEqual(await (out.pred as Tensor).array(), await tensor(hostLogits()).array());
});

Deno.test("System modes without metrics give null metrics and log only the loss", () => {
  const model = linear();
  const system = new System({ model, criterion: new nn.CrossEntropyLoss() });
  const { out, host } = run(system, "val");
  assert.equal(out.metrics, null);
  assert.deepEqual(host.names, ["val/loss/step", "val/loss/epoch"]);
  const test = run(system, "test");
  assert.deepEqual(test.host.names, []);
});

Deno.test("System skips logging when the host's logging is off", async () => {
  const { out, host } = run(makeSystem(), "train", 0, new RecordingHost("train", false));
  assert.deepEqual(host.calls, []);
  const expected = hostCrossEntropy(hostLogits(), Y);
  assert.ok(Math.abs((await (out.loss as Tensor).item()) - expected) < 1e-5);
});

Deno.test("System weighs values by the real batch size: a short batch of 1", () => {
  const system = makeSystem();
  const host = new RecordingHost("val");
  system.attach(host);
  system.step(batch([[1, 2]], [0]), 0);
  assert.ok(host.calls.every((c) => c.options.batchSize === 1));
});

Deno.test("System dict losses log every key, total included; lossTotal picks total", async () => {
  const ce = new nn.CrossEntropyLoss();
  const criterion = (pred: Tensor, target: Tensor) => {
    const main = ce.call(pred, target);
    const reg = pred.mul(pred).mean();
    return { total: main.add(reg.mul(0.5)), ce: main, reg };
  };
  const system = new System({ model: linear(), criterion });
  const { out, host } = run(system, "train");
  assert.deepEqual(host.names, [
    "train/loss/total/step",
    "train/loss/total/epoch",
    "train/loss/ce/step",
    "train/loss/ce/epoch",
    "train/loss/reg/step",
    "train/loss/reg/epoch",
  ]);
  const logits = hostLogits();
  const ceValue = hostCrossEntropy(logits, Y);
  const reg = logits.flat().reduce((s, v) => s + v * v, 0) / 9;
  const total = system.lossTotal(out.loss!);
  assert.ok(Math.abs((await total.item()) - (ceValue + 0.5 * reg)) < 1e-4);
  assert.ok(
    Math.abs((await (host.get("train/loss/reg/epoch").value as Tensor).item()) - reg) < 1e-4,
  );
  assert.equal(total, (out.loss as Record<string, Tensor>).total);
});

Deno.test("System a dict loss without 'total' is Lighter's error", () => {
  const system = new System({
    model: linear(),
    criterion: (pred: Tensor) => ({ a: pred.mean() }),
  });
  system.attach(new RecordingHost("val"));
  assert.throws(
    () => system.step(batch(), 0),
    { message: /The loss dictionary must include a 'total' key that combines all sublosses/ },
  );
  assert.throws(() => system.lossTotal({ a: tensor([1]) }), /must include a 'total' key/);
});

Deno.test("System criterion returning something else is an error", () => {
  const system = new System({ model: linear(), criterion: () => 3 });
  system.attach(new RecordingHost("train"));
  assert.throws(() => system.step(batch(), 0), /criterion returned 3 in train mode/);
});

Deno.test("System without a criterion: Lighter's error in train and val, fine in test", () => {
  const system = new System({ model: linear() });
  for (const mode of ["train", "val"] as const) {
    system.attach(new RecordingHost(mode));
    assert.throws(() => system.step(batch(), 0), {
      message: "Please specify 'system.criterion' in the config.",
    });
  }
  system.attach(new RecordingHost("test"));
  assert.equal(system.step(batch(), 0).loss, null);
});

Deno.test("System step needs an attached host with a mode", () => {
  const system = makeSystem();
  assert.equal(system.mode, null);
  assert.throws(() => system.step(batch(), 0), /needs a host: the Trainer attaches itself/);
  const host = new RecordingHost(null);
  system.attach(host);
  assert.equal(system.mode, null);
  assert.throws(() => system.step(batch(), 0), /outside a loop: the host's mode is null/);
  host.mode = "val";
  assert.equal(system.mode, "val");
});

Deno.test("System optimizer stats: Adam logs betas[0] as momentum", () => {
  const model = linear();
  const system = new System({
    model,
    criterion: new nn.CrossEntropyLoss(),
    optimizer: new optim.Adam({ params: model.parameters(), lr: 0.01, betas: [0.8, 0.99] }),
  });
  const { host } = run(system, "train");
  assert.equal(host.get("train/optimizer/Adam/lr").value, 0.01);
  assert.equal(host.get("train/optimizer/Adam/momentum").value, 0.8);
});

Deno.test("System optimizer stats: several groups get /group{N} from 1", () => {
  const model = linear();
  const system = new System({
    model,
    criterion: new nn.CrossEntropyLoss(),
    optimizer: new optim.SGD(
      [{ params: [model.weight] }, { params: [model.bias!], lr: 0.5, momentum: 0.3 }],
      { lr: 0.1 },
    ),
  });
  const { host } = run(system, "train");
  assert.deepEqual(host.names.filter((n) => n.includes("optimizer")), [
    "train/optimizer/SGD/lr/group1",
    "train/optimizer/SGD/momentum/group1",
    "train/optimizer/SGD/lr/group2",
    "train/optimizer/SGD/momentum/group2",
  ]);
  assert.equal(host.get("train/optimizer/SGD/momentum/group1").value, 0);
  assert.equal(host.get("train/optimizer/SGD/lr/group2").value, 0.5);
  assert.equal(host.get("train/optimizer/SGD/momentum/group2").value, 0.3);
});

Deno.test("System optimizer stats: no momentum key when the group has neither momentum nor betas", () => {
  const model = linear();
  class Plain extends optim.SGD {}
  const opt = new Plain({ params: model.parameters(), lr: 0.2 });
  delete (opt.paramGroups[0] as Record<string, unknown>).momentum;
  const system = new System({ model, criterion: new nn.CrossEntropyLoss(), optimizer: opt });
  const { host } = run(system, "train");
  assert.deepEqual(host.names.filter((n) => n.includes("optimizer")), [
    "train/optimizer/Plain/lr",
  ]);
});

Deno.test("System configureOptimizers, learningRate and their errors", () => {
  const model = linear();
  const opt = new optim.SGD({ params: model.parameters(), lr: 0.1 });
  const sched = new optim.StepLR({ optimizer: opt, stepSize: 2 });
  const system = new System({ model, optimizer: opt, scheduler: sched });
  assert.deepEqual(system.configureOptimizers(), { optimizer: opt, scheduler: sched });
  assert.deepEqual(new System({ model, optimizer: opt }).configureOptimizers(), { optimizer: opt });
  assert.throws(() => new System({ model }).configureOptimizers(), {
    message: "Please specify 'system.optimizer' in the config.",
  });
  assert.equal(system.learningRate, 0.1);
  system.learningRate = 0.05;
  assert.equal(opt.paramGroups[0].lr, 0.05);
  const two = new System({
    model,
    optimizer: new optim.SGD([{ params: [model.weight] }, { params: [model.bias!] }], { lr: 1 }),
  });
  const multi =
    /The learning rate is not available when there are multiple optimizer parameter groups/;
  assert.throws(() => two.learningRate, multi);
  assert.throws(() => {
    two.learningRate = 2;
  }, multi);
});

Deno.test("System inferer replaces the model in val, test and predict, not in train", async () => {
  const seen: string[] = [];
  const inferer = (input: Tensor, model: nn.Linear) => {
    seen.push("inferer");
    return model.call(input).mul(2);
  };
  const system = makeSystem({ inferer });
  const train = run(system, "train").out;
  assert.deepEqual(seen, []);
  assert.deepEqual(await (train.pred as Tensor).array(), await tensor(hostLogits()).array());
  const doubled = hostLogits().map((r) => r.map((v) => 2 * v));
  for (const mode of ["val", "test"] as const) {
    const out = run(system, mode).out;
    assert.deepEqual(await (out.pred as Tensor).array(), await tensor(doubled).array());
  }
  const predict = new RecordingHost("predict");
  system.attach(predict);
  const out = system.step(tensor(X), 0);
  assert.deepEqual(await (out.pred as Tensor).array(), await tensor(doubled).array());
  assert.deepEqual(seen, ["inferer", "inferer", "inferer"]);
});

Deno.test("System logging adapter transforms the output, not the loss or metrics", async () => {
  const system = makeSystem({
    adapters: {
      val: {
        logging: new adapters.LoggingAdapter({
          predTransforms: (p: Tensor) => p.argmax(1),
          targetTransforms: [(t: Tensor) => t.shape, (s: readonly number[]) => s.length],
        }),
      },
    },
  });
  const { out, host } = run(system, "val");
  const argmax = hostLogits().map((r) => r.indexOf(Math.max(...r)));
  assert.deepEqual(Array.from(await (out.pred as Tensor).data()), argmax);
  assert.equal(out.target, 1);
  const expected = hostCrossEntropy(hostLogits(), Y);
  assert.ok(Math.abs((await (out.loss as Tensor).item()) - expected) < 1e-5);
  assert.ok(
    Math.abs((await (host.get("val/metrics/PredMean/step").value as Tensor).item()) - logitsMean) <
      1e-5,
  );
});

Deno.test("System dict batches: string accessors, an identifier function, swapped criterion arguments", async () => {
  const ids = ["a", "b", "c"];
  const system = new System({
    model: linear(),
    criterion: (target: Tensor, pred: Tensor) => new nn.CrossEntropyLoss().call(pred, target),
    adapters: {
      train: {
        batch: new adapters.BatchAdapter({
          inputAccessor: "image",
          targetAccessor: "label",
          identifierAccessor: (b: { id: string[] }) => b.id,
        }),
        criterion: new adapters.CriterionAdapter({ targetArgument: 0, predArgument: 1 }),
      },
    },
  });
  system.attach(new RecordingHost("train"));
  const [x, y] = batch();
  const out = system.step({ image: x, label: y, id: ids }, 0);
  assert.equal(out.identifier, ids);
  assert.equal(out.input, x);
  const expected = hostCrossEntropy(hostLogits(), Y);
  assert.ok(Math.abs((await (out.loss as Tensor).item()) - expected) < 1e-5);
});

Deno.test("System adapters given as plain functions", async () => {
  const system = makeSystem({
    adapters: {
      test: {
        batch: (b: { x: Tensor; y: Tensor }) => [b.x, b.y, "ids"],
        metrics: (fn: (p: Tensor, t: Tensor) => unknown, _i: Tensor, t: Tensor, p: Tensor) =>
          fn(p.mul(0).add(4), t),
        logging: (i: unknown, t: unknown, _p: unknown) => [i, t, "pred"],
      },
    },
  });
  system.attach(new RecordingHost("test"));
  const [x, y] = batch();
  const out = system.step({ x, y }, 0);
  assert.equal(out.identifier, "ids");
  assert.equal(out.pred, "pred");
  assert.equal(await out.metrics!.mean.item(), 4);
  system.attach(new RecordingHost("test"));
  const bad = makeSystem({ adapters: { test: { batch: () => "x" } } });
  bad.attach(new RecordingHost("test"));
  assert.throws(
    () => bad.step(batch(), 0),
    /System.adapters.test.batch must return \[input, target, identifier\], got "x"/,
  );
});

Deno.test("System default adapters per mode follow Lighter", () => {
  const system = new System({ model: linear() });
  for (const mode of ["train", "val", "test"] as const) {
    const a = system.adapters[mode];
    assert.ok(a.batch instanceof adapters.BatchAdapter);
    assert.equal(a.batch.inputAccessor, 0);
    assert.equal(a.batch.targetAccessor, 1);
    assert.equal(a.batch.identifierAccessor, null);
    assert.ok(a.metrics instanceof adapters.MetricsAdapter);
    assert.equal(a.metrics.predArgument, 0);
    assert.equal(a.metrics.targetArgument, 1);
    assert.equal(a.metrics.inputArgument, null);
    assert.ok(a.logging instanceof adapters.LoggingAdapter);
    if (mode === "test") assert.equal(a.criterion, undefined);
    else {
      assert.ok(a.criterion instanceof adapters.CriterionAdapter);
      assert.equal(a.criterion.predArgument, 0);
      assert.equal(a.criterion.targetArgument, 1);
    }
  }
  const p = system.adapters.predict;
  assert.deepEqual(Object.keys(p).sort(), ["batch", "logging"]);
  assert.ok(p.batch instanceof adapters.BatchAdapter);
  const whole = { any: 1 };
  assert.deepEqual(p.batch.call(whole), [whole, null, null]);
  // A mode given only some adapters keeps the defaults of the others.
  const partial = new System({
    model: linear(),
    adapters: { val: { batch: new adapters.BatchAdapter({ inputAccessor: "x" }) } },
  });
  assert.equal((partial.adapters.val.batch as adapters.BatchAdapter).inputAccessor, "x");
  assert.ok(partial.adapters.val.criterion instanceof adapters.CriterionAdapter);
});

Deno.test("System metrics: lists named by class, dicts by key, duplicates an error", () => {
  const a = new PredMean(), b = new PredMean();
  const system = new System({ model: linear(), metrics: { train: a, val: { x: a, y: b } } });
  assert.deepEqual(Object.keys(system.metrics), ["train", "val"]);
  assert.equal(system.metrics.train!.PredMean, a);
  assert.deepEqual(Object.keys(system.metrics.val!), ["x", "y"]);
  assert.deepEqual(new System({ model: linear(), metrics: { test: [] } }).metrics, {});
  assert.throws(
    () => new System({ model: linear(), metrics: { train: [a, b] } }),
    /System.metrics.train: Encountered two metrics both named PredMean/,
  );
  assert.throws(
    () => new System({ model: linear(), metrics: { train: [a, 3 as never] } }),
    /System.metrics.train\[1\] must be a Metric, got 3/,
  );
  assert.throws(
    () => new System({ model: linear(), metrics: { val: "acc" as never } }),
    /System.metrics.val must be a Metric .*got "acc"/,
  );
});

Deno.test("System unknown options are errors naming the closest valid names", () => {
  const model = linear();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ model, optimiser: 1 }, /System has no option 'optimiser'. Did you mean 'optimizer'\?/],
    [{ model, metrics: { predict: new PredMean() } }, /System.metrics has no option 'predict'/],
    [
      { model, dataloaders: { tran: null } },
      /System.dataloaders has no option 'tran'. Did you mean 'train'\?/,
    ],
    [
      { model, adapters: { tests: {} } },
      /System.adapters has no option 'tests'. Did you mean 'test'\?/,
    ],
    [
      { model, adapters: { test: { criterion: new adapters.CriterionAdapter() } } },
      /System.adapters.test has no option 'criterion'.*Valid options: batch, metrics, logging/,
    ],
    [
      { model, adapters: { predict: { metrics: new adapters.MetricsAdapter() } } },
      /System.adapters.predict has no option 'metrics'.*Valid options: batch, logging/,
    ],
    [
      { model, adapters: { train: { batch: 3 } } },
      /System.adapters.train.batch must be a BatchAdapter \(or a function\), got 3/,
    ],
    [{ model: {} }, /System option 'model' must be a Module/],
    [
      { model, criterion: 5 },
      /System option 'criterion' must be a loss module or a function, got 5/,
    ],
    [{ model, optimizer: {} }, /System option 'optimizer' must be an Optimizer/],
    [{ model, scheduler: 2 }, /System option 'scheduler' must be a learning-rate scheduler/],
    [{ model, inferer: "x" }, /System option 'inferer' must be a function/],
    [{ model, dataloaders: { train: 4 } }, /System.dataloaders.train must be a DataLoader/],
    [{ model, adapters: [] }, /System.adapters must be a dict by mode/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new System(options as never), message);
  }
  assert.throws(() => new System(undefined as never), /System needs an options object/);
});

Deno.test("System stateDict has the model. prefix and loads back with or without it", async () => {
  const system = new System({ model: linear() });
  const dict = system.stateDict();
  assert.deepEqual(Object.keys(dict), ["model.weight", "model.bias"]);
  assert.equal(dict["model.weight"], system.model.stateDict().weight);
  const fresh = new System({ model: new nn.Linear({ inFeatures: 2, outFeatures: 3 }) });
  fresh.loadStateDict(dict);
  const weight = (fresh.model as nn.Linear).weight;
  assert.deepEqual(await weight.array(), await tensor([[1, 0], [0, 1], [1, 1]]).array());
  const other = new System({ model: new nn.Linear({ inFeatures: 2, outFeatures: 3 }) });
  other.loadStateDict(linear().stateDict());
  assert.deepEqual(await (other.model as nn.Linear).bias!.array(), [0, 0.5, -1]);
  assert.throws(
    () => other.loadStateDict({ "model.weight": dict["model.weight"] }),
    /missing keys: bias/,
  );
  const result = other.loadStateDict({ "model.weight": dict["model.weight"] }, { strict: false });
  assert.deepEqual(result, { missingKeys: ["bias"], unexpectedKeys: [] });
});

Deno.test("System keeps its parts, dataloaders and hyperparameters", () => {
  const model = linear();
  const criterion = new nn.CrossEntropyLoss();
  const loader = { async *[Symbol.asyncIterator]() {} };
  const system = new System({
    model,
    criterion,
    dataloaders: { val: loader as never, test: null },
  });
  assert.equal(system.model, model);
  assert.equal(system.criterion, criterion);
  assert.deepEqual(Object.keys(system.dataloaders), ["val"]);
  assert.equal(system.dataloaders.val, loader);
  assert.equal(system.hyperparameters, undefined);
  system.saveHyperparameters({ trainer: { max_epochs: 2 } });
  assert.deepEqual(system.hyperparameters, { trainer: { max_epochs: 2 } });
});

Deno.test("System refuses to log a loss with more than one element", () => {
  const system = new System({
    model: linear(),
    criterion: new nn.CrossEntropyLoss({ reduction: "none" }),
  });
  system.attach(new RecordingHost("train"));
  assert.throws(() => system.step(batch(), 0), /'train\/loss\/step' must be a one-element tensor/);
});
