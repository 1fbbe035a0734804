/**
 * The example config builds real lumen objects (model, loss, optimizer, scheduler, loaders), and
 * what it builds trains: the seam the stage runner will stand on.
 */
import assert from "node:assert/strict";
import { Config, data, datasets, nn, optim, type Tensor } from "../../mod.ts";

const EXAMPLE = new URL("../../examples/fashion_mnist/mlp.yaml", import.meta.url).pathname;

Deno.test("the Fashion-MNIST example config builds lumen objects that train", async () => {
  const config = await Config.load(EXAMPLE, [
    "vars::hidden=16",
    "system::dataloaders::train::batch_size=8",
    "system::dataloaders::train::dataset={_target_: lumen.datasets.TensorDataset, tensors: " +
    "['$lumen.randn([16, 1, 28, 28])', '$lumen.tensor(new Int32Array(16).map((_, i) => i % 10))']}",
    "system::dataloaders::train::batch_transform=null",
  ]);
  const model = config.resolve("system::model");
  assert.ok(model instanceof nn.Sequential);
  assert.equal(
    (model as nn.Sequential).numParameters(),
    784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10,
  );
  const criterion = config.resolve("system::criterion") as nn.CrossEntropyLoss;
  assert.ok(criterion instanceof nn.CrossEntropyLoss);
  const optimizer = config.resolve("system::optimizer") as optim.Adam;
  assert.ok(optimizer instanceof optim.Adam);
  assert.equal(optimizer.paramGroups[0].lr, 0.001);
  const scheduler = config.resolve("system::scheduler") as optim.StepLR;
  assert.strictEqual(config.resolve("system::optimizer"), optimizer, "@ gives the same instance");
  const loader = config.resolve("system::dataloaders::train") as data.DataLoader;
  assert.ok(loader instanceof data.DataLoader);
  const val = config.resolve("system::dataloaders::val") as data.DataLoader;
  assert.ok(val instanceof data.DataLoader);
  assert.ok(config.resolve("system::dataloaders::val::dataset") instanceof datasets.FashionMNIST);

  const net = model as nn.Sequential;
  const losses: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    let total = 0;
    for await (const [x, y] of loader as AsyncIterable<[Tensor, Tensor]>) {
      optimizer.zeroGrad();
      const loss = criterion.call(net.call(x) as Tensor, y);
      loss.backward();
      optimizer.step();
      total += await loss.item();
    }
    scheduler.step();
    losses.push(total);
  }
  assert.ok(losses[2] < losses[0], `loss went down: ${losses}`);
  assert.equal(optimizer.paramGroups[0].lr, 0.001 * 0.5 ** 3);
});

Deno.test("the seeds' system::model::compile=true is applied as Module.compile(); a non-boolean is an error", async () => {
  const config = await Config.load(EXAMPLE, ["system::model::compile=true"]);
  const model = config.resolve("system::model") as nn.Sequential;
  assert.ok(model instanceof nn.Sequential);
  assert.equal(model.compiled, true);
  const plain = await Config.load(EXAMPLE);
  assert.equal((plain.resolve("system::model") as nn.Sequential).compiled, false);
  const bad = await Config.load(EXAMPLE, ["system::model::compile=yes"]);
  assert.throws(
    () => bad.resolve("system::model"),
    /option 'compile' must be true or false, got "yes"/,
  );
  // A class without compile() keeps its strict options: compile is an unknown option there.
  const opt = await Config.load(EXAMPLE, ["system::optimizer::compile=true"]);
  assert.throws(() => opt.resolve("system::optimizer"), /compile/);
});
