/** Trainer options: optimisation against torch, loop limits and schedules, and option errors. */
import assert from "node:assert/strict";
import { callbacks, manualSeed, System, type Tensor, Trainer } from "../../mod.ts";
import { assertClose, loadFixtures } from "../_helpers.ts";
import { quietTrainer, rejectsWith, throwsWith, tinySystem, type TrainerFixture } from "./_tiny.ts";

/** Counts the batches each loop runs, and records the order of a few hooks. */
class Counter extends callbacks.Callback {
  train = 0;
  val = 0;
  sanity = 0;
  test = 0;
  predict = 0;
  events: string[] = [];
  override onTrainBatchEnd(): void {
    this.train++;
  }
  override onValidationBatchEnd(trainer: { sanityChecking: boolean }): void {
    if (trainer.sanityChecking) this.sanity++;
    else this.val++;
  }
  override onTestBatchEnd(): void {
    this.test++;
  }
  override onPredictBatchEnd(): void {
    this.predict++;
  }
  override onValidationEnd(trainer: { sanityChecking: boolean; globalStep: number }): void {
    if (!trainer.sanityChecking) this.events.push(`val@${trainer.globalStep}`);
  }
  override onTrainEpochEnd(trainer: { currentEpoch: number }): void {
    this.events.push(`epoch${trainer.currentEpoch}`);
  }
}

Deno.test("accumulate_grad_batches and gradient clipping give torch's weights (Lightning's rules)", async () => {
  const fixture = await loadFixtures<TrainerFixture>("trainer");
  for (const c of fixture.cases) {
    const system = await tinySystem({ weights: { weight: c.weight0, bias: c.bias0 } });
    const trainer = quietTrainer({
      maxEpochs: c.epochs,
      accumulateGradBatches: c.accumulate,
      gradientClipVal: c.clip_val,
      gradientClipAlgorithm: c.algorithm,
      numSanityValSteps: 0,
    });
    await trainer.fit(system);
    const sd = system.stateDict();
    const label = `accumulate ${c.accumulate}, clip ${c.clip_val} (${c.algorithm})`;
    await assertClose(sd["model.weight"], c.weight, label);
    await assertClose(sd["model.bias"], c.bias, label);
  }
});

Deno.test("max_epochs, the sanity check and validation order follow Lightning", async () => {
  const counter = new Counter();
  const trainer = quietTrainer({ maxEpochs: 2, callbacks: [counter] });
  await trainer.fit(await tinySystem());
  assert.deepEqual(counter.train, 10);
  assert.deepEqual(counter.sanity, 2);
  assert.deepEqual(counter.val, 8);
  assert.deepEqual(counter.events, ["val@5", "epoch0", "val@10", "epoch1"]);
  assert.deepEqual(trainer.globalStep, 10);
  assert.deepEqual(trainer.currentEpoch, 2);
});

Deno.test("max_steps stops inside an epoch; limit_train_batches takes counts and fractions", async () => {
  const a = new Counter();
  await quietTrainer({ maxEpochs: 5, maxSteps: 7, callbacks: [a] }).fit(await tinySystem());
  assert.deepEqual(a.train, 7);
  const b = new Counter();
  const t = quietTrainer({
    maxEpochs: 2,
    limitTrainBatches: 3,
    limitValBatches: 0.5,
    callbacks: [b],
  });
  await t.fit(await tinySystem());
  assert.deepEqual([b.train, b.val, t.globalStep], [6, 4, 6]);
  const c = new Counter();
  await quietTrainer({ maxEpochs: 1, limitTrainBatches: 0.4, limitValBatches: 0, callbacks: [c] })
    .fit(await tinySystem());
  assert.deepEqual([c.train, c.val, c.sanity], [2, 0, 0]);
});

Deno.test("val_check_interval and check_val_every_n_epoch place validation runs", async () => {
  const half = new Counter();
  await quietTrainer({
    maxEpochs: 1,
    valCheckInterval: 0.5,
    numSanityValSteps: 0,
    callbacks: [half],
  }).fit(await tinySystem({ trainBatches: 4 }));
  assert.deepEqual(half.events, ["val@2", "val@4", "epoch0"]);
  const every = new Counter();
  await quietTrainer({
    maxEpochs: 1,
    valCheckInterval: 2,
    numSanityValSteps: 0,
    callbacks: [every],
  })
    .fit(await tinySystem());
  assert.deepEqual(every.events, ["val@2", "val@4", "epoch0"]);
  const second = new Counter();
  await quietTrainer({
    maxEpochs: 4,
    checkValEveryNEpoch: 2,
    numSanityValSteps: 0,
    callbacks: [second],
  })
    .fit(await tinySystem());
  assert.deepEqual(second.events, ["epoch0", "val@10", "epoch1", "epoch2", "val@20", "epoch3"]);
  const all = new Counter();
  await quietTrainer({ maxEpochs: 1, numSanityValSteps: -1, callbacks: [all] }).fit(
    await tinySystem(),
  );
  assert.deepEqual(all.sanity, 4);
});

Deno.test("fast_dev_run runs N batches of every loop, one epoch, and writes nothing", async () => {
  const root = Deno.makeTempDirSync();
  const counter = new Counter();
  const trainer = new Trainer({
    fastDevRun: 2,
    maxEpochs: 10,
    defaultRootDir: root,
    enableProgressBar: false,
    callbacks: [counter],
  });
  const system = await tinySystem();
  await trainer.fit(system);
  await trainer.test(system);
  await trainer.predict(system);
  assert.deepEqual([counter.train, counter.val, counter.sanity, counter.test, counter.predict], [
    2,
    2,
    0,
    2,
    2,
  ]);
  assert.deepEqual([...Deno.readDirSync(root)].length, 0);
  const one = new Counter();
  await new Trainer({
    fastDevRun: true,
    enableProgressBar: false,
    defaultRootDir: root,
    callbacks: [one],
  })
    .fit(await tinySystem());
  assert.deepEqual([one.train, one.val], [1, 1]);
  await rejectsWith(
    () => trainer.test(system, { ckptPath: "best" }),
    'You cannot execute `.test(ckpt_path="best")` with `fast_dev_run=True`',
  );
});

Deno.test("test and validate return the epoch metrics; predict returns step outputs", async () => {
  const system = await tinySystem({ metrics: true });
  const trainer = quietTrainer({ maxEpochs: 1 });
  await trainer.fit(system);
  const [val] = await trainer.validate(system);
  assert.deepEqual(Object.keys(val).sort(), ["val/loss/epoch", "val/metrics/Accuracy/epoch"]);
  const [test] = await trainer.test(system);
  assert.deepEqual(Object.keys(test), ["test/metrics/Accuracy/epoch"]);
  assert.ok(test["test/metrics/Accuracy/epoch"] >= 0 && test["test/metrics/Accuracy/epoch"] <= 1);
  const preds = await trainer.predict(system);
  assert.deepEqual(preds!.length, 2);
  assert.deepEqual((preds![0].pred as Tensor).shape, [8, 3]);
  assert.deepEqual(preds![0].loss, null);
  assert.deepEqual(await trainer.predict(system, { returnPredictions: false }), undefined);
});

Deno.test("Trainer options are checked: typos, devices, precision, strategy, stage arguments", async () => {
  throwsWith(() => new Trainer({ maxEpoch: 3 } as never), "Did you mean 'maxEpochs'");
  throwsWith(
    () => new Trainer({ devices: 4 }),
    "devices=4 asks for 4 devices, but a Deno process sees one WebGPU adapter",
  );
  throwsWith(() => new Trainer({ devices: [0, 1] }), "asks for 2 devices");
  for (const ok of [1, -1, "auto", [0]] as const) {
    new Trainer({ devices: ok as never, logger: false });
  }
  throwsWith(() => new Trainer({ precision: "16-true" }), 'precision "16-true" is not available');
  throwsWith(() => new Trainer({ strategy: "ddp" }), "strategy 'ddp' is not available");
  throwsWith(() => new Trainer({ accelerator: "tpu" }), "accelerator");
  throwsWith(() => new Trainer({ limitTrainBatches: 1.5 }), "limitTrainBatches");
  throwsWith(() => new Trainer({ gradientClipAlgorithm: "l2" as never }), "'norm' or 'value'");
  throwsWith(() => new Trainer({ callbacks: [{}] as never }), "callbacks[0] must be");
  const trainer = quietTrainer();
  const tiny = await tinySystem();
  await rejectsWith(
    () => trainer.fit(new System({ model: tiny.model }), {}),
    "needs a train dataloader",
  );
  await rejectsWith(
    () => trainer.fit(tiny, { ckpt: "x" } as never),
    "Trainer.fit() has no argument 'ckpt'",
  );
  await rejectsWith(
    () => trainer.test(tiny, { ckptPath: "best" }),
    '`.test(ckpt_path="best")` is set but `ModelCheckpoint` is not configured.',
  );
  await rejectsWith(
    () => trainer.test(tiny, { ckptPath: "/nonexistent/x.ckpt" }),
    "Checkpoint file not found: /nonexistent/x.ckpt",
  );
});

Deno.test("readMetrics() between logged rows reads the newest step's values", async () => {
  class Reader extends callbacks.Callback {
    losses: number[] = [];
    override async onTrainBatchEnd(trainer: {
      readMetrics(): Promise<Readonly<Record<string, number>>>;
    }): Promise<void> {
      this.losses.push((await trainer.readMetrics())["train/loss/step"]);
    }
  }
  manualSeed(11);
  const rarely = new Reader();
  await quietTrainer({
    maxEpochs: 1,
    logEveryNSteps: 50,
    numSanityValSteps: 0,
    callbacks: [rarely],
  })
    .fit(await tinySystem());
  manualSeed(11);
  const each = new Reader();
  await quietTrainer({ maxEpochs: 1, logEveryNSteps: 1, numSanityValSteps: 0, callbacks: [each] })
    .fit(await tinySystem());
  assert.equal(rarely.losses.length, 5);
  assert.ok(rarely.losses.every((v) => Number.isFinite(v)), `${rarely.losses}`);
  assert.deepEqual(rarely.losses, each.losses);
});
