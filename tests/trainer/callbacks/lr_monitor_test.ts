/**
 * LearningRateMonitor with the real Trainer and a CSVLogger: the rows in metrics.csv read back
 * (Lightning's keys, steps and intervals; a StepLR schedule's rates), momentum and weight decay,
 * several parameter groups, and Lightning's errors.
 */
import assert from "node:assert/strict";
import {
  callbacks,
  loggers,
  nn,
  optim,
  System,
  Trainer,
  type TrainerOptions,
} from "../../../mod.ts";
import { fixtureData, loader, rejectsWith, tempDir, throwsWith, tinySystem } from "../_tiny.ts";

/** metrics.csv as rows of numbers (empty cells left out). */
async function metricsCsv(path: string): Promise<Record<string, number>[]> {
  const [header, ...lines] = (await Deno.readTextFile(path)).trim().split("\n");
  const names = header.split(",");
  return lines.map((line) => {
    const row: Record<string, number> = {};
    line.split(",").forEach((v, i) => {
      if (v !== "") row[names[i]] = Number(v);
    });
    return row;
  });
}

/** Fits `system` with a monitor and a CSVLogger; returns the rows that hold one of `keys`. */
async function fitRows(
  system: System,
  monitor: callbacks.LearningRateMonitor,
  keys: string[],
  options: TrainerOptions = {},
): Promise<{ rows: Record<string, number>[]; trainer: Trainer }> {
  const logger = new loggers.CSVLogger({ saveDir: tempDir() });
  const trainer = new Trainer({
    logger,
    enableCheckpointing: false,
    enableProgressBar: false,
    callbacks: [monitor],
    ...options,
  });
  await trainer.fit(system);
  const rows = (await metricsCsv(`${logger.logDir}/metrics.csv`))
    .filter((r) => keys.some((k) => k in r));
  return { rows, trainer };
}

// tinySystem: 5 training batches per epoch, SGD(lr 0.5, momentum 0.9); with `scheduler`,
// StepLR(step_size 1, gamma 0.5), stepped at each epoch's end.

Deno.test("LearningRateMonitor: default interval logs a StepLR schedule at each epoch start", async () => {
  const monitor = new callbacks.LearningRateMonitor();
  const { rows, trainer } = await fitRows(
    await tinySystem({ scheduler: true }),
    monitor,
    ["lr-SGD"],
    { maxEpochs: 3, logEveryNSteps: 1 },
  );
  // A scheduled optimizer is logged at the scheduler's interval (epoch) only, at the global step
  // where the epoch starts: 0.5 * 0.5^epoch.
  assert.deepEqual(rows, [
    { "lr-SGD": 0.5, step: 0 },
    { "lr-SGD": 0.25, step: 5 },
    { "lr-SGD": 0.125, step: 10 },
  ]);
  assert.deepEqual(monitor.lrs, { "lr-SGD": [0.5, 0.25, 0.125] });
  assert.equal(trainer.callbackMetrics["lr-SGD"], 0.125);
});

Deno.test("LearningRateMonitor: 'step' logs every log_every_n_steps at batch starts", async () => {
  const { rows } = await fitRows(
    await tinySystem({ scheduler: true }),
    new callbacks.LearningRateMonitor({ loggingInterval: "step" }),
    ["lr-SGD"],
    { maxEpochs: 2, logEveryNSteps: 2 },
  );
  // Lightning's should_update_logs at a batch start: (global_step + 1) % 2 == 0.
  assert.deepEqual(rows, [
    { "lr-SGD": 0.5, step: 1 },
    { "lr-SGD": 0.5, step: 3 },
    { "lr-SGD": 0.25, step: 5 },
    { "lr-SGD": 0.25, step: 7 },
    { "lr-SGD": 0.25, step: 9 },
  ]);
});

Deno.test("LearningRateMonitor: 'epoch' with momentum and weight decay (SGD, Adam's betas[0])", async () => {
  const sgd = await fitRows(
    await tinySystem({ scheduler: true }),
    new callbacks.LearningRateMonitor({
      loggingInterval: "epoch",
      logMomentum: true,
      logWeightDecay: true,
    }),
    ["lr-SGD"],
    { maxEpochs: 2, logEveryNSteps: 1 },
  );
  assert.deepEqual(sgd.rows, [
    { "lr-SGD": 0.5, "lr-SGD-momentum": 0.9, "lr-SGD-weight_decay": 0, step: 0 },
    { "lr-SGD": 0.25, "lr-SGD-momentum": 0.9, "lr-SGD-weight_decay": 0, step: 5 },
  ]);
  const adam = await fitRows(
    await tinySystem({ optimizer: "adam" }),
    new callbacks.LearningRateMonitor({ loggingInterval: "epoch", logMomentum: true }),
    ["lr-Adam"],
    { maxEpochs: 1 },
  );
  assert.deepEqual(adam.rows, [{ "lr-Adam": 0.01, "lr-Adam-momentum": 0.9, step: 0 }]);
});

Deno.test("LearningRateMonitor: without a scheduler, the default interval logs at epoch starts and every n steps", async () => {
  const { rows } = await fitRows(
    await tinySystem(),
    new callbacks.LearningRateMonitor(),
    ["lr-SGD"],
    { maxEpochs: 2, logEveryNSteps: 3 },
  );
  // Epoch starts (steps 0, 5) and batch starts where (global_step + 1) % 3 == 0 (steps 2, 5, 8).
  assert.deepEqual(rows.map((r) => r.step), [0, 2, 5, 5, 8]);
  assert.ok(rows.every((r) => r["lr-SGD"] === 0.5));
});

/** A Linear classifier whose weight and bias are two parameter groups. */
async function twoGroups(names: [string | undefined, string | undefined]): Promise<System> {
  const { x, y } = await fixtureData();
  const model = new nn.Linear({ inFeatures: 4, outFeatures: 3 });
  const [weight, bias] = model.parameters();
  const group = (params: typeof weight, lr: number, name?: string) =>
    name === undefined ? { params: [params], lr } : { params: [params], lr, name };
  const optimizer = new optim.SGD([group(weight, 0.1, names[0]), group(bias, 0.2, names[1])], {
    lr: 0.3,
  });
  return new System({
    model,
    criterion: new nn.CrossEntropyLoss(),
    optimizer,
    dataloaders: { train: loader(x.subarray(0, 80), y.subarray(0, 20)) },
  });
}

Deno.test("LearningRateMonitor: several parameter groups get /pg1, /pg2 or their names", async () => {
  const plain = await fitRows(
    await twoGroups([undefined, undefined]),
    new callbacks.LearningRateMonitor({ loggingInterval: "epoch" }),
    ["lr-SGD/pg1"],
    { maxEpochs: 1 },
  );
  assert.deepEqual(plain.rows, [{ "lr-SGD/pg1": 0.1, "lr-SGD/pg2": 0.2, step: 0 }]);
  const named = await fitRows(
    await twoGroups(["backbone", undefined]),
    new callbacks.LearningRateMonitor({ loggingInterval: "epoch" }),
    ["lr-SGD/backbone"],
    { maxEpochs: 1 },
  );
  assert.deepEqual(named.rows, [{ "lr-SGD/backbone": 0.1, "lr-SGD/pg2": 0.2, step: 0 }]);
  await rejectsWith(
    async () =>
      await fitRows(
        await twoGroups(["head", "head"]),
        new callbacks.LearningRateMonitor(),
        [],
        { maxEpochs: 1 },
      ),
    "A single `Optimizer` cannot have multiple parameter groups with identical `name` values. " +
      "lr-SGD has duplicated parameter group names {'head'}",
  );
});

Deno.test("LearningRateMonitor: Lightning's errors (no logger, logging_interval) and option checks", async () => {
  const system = await tinySystem();
  await rejectsWith(
    () =>
      new Trainer({
        logger: false,
        enableCheckpointing: false,
        enableProgressBar: false,
        maxEpochs: 1,
        callbacks: [new callbacks.LearningRateMonitor()],
      }).fit(system),
    "Cannot use `LearningRateMonitor` callback with `Trainer` that has no logger.",
  );
  // fast_dev_run disables LR monitors (Lightning): no error, nothing logged.
  const monitor = new callbacks.LearningRateMonitor();
  await new Trainer({
    fastDevRun: true,
    defaultRootDir: tempDir(),
    enableCheckpointing: false,
    enableProgressBar: false,
    callbacks: [monitor],
  }).fit(await tinySystem());
  assert.deepEqual(monitor.lrs, {});
  throwsWith(
    () => new callbacks.LearningRateMonitor({ loggingInterval: "batch" as "step" }),
    "logging_interval should be `step` or `epoch` or `None`.",
  );
  throwsWith(
    () => new callbacks.LearningRateMonitor({ logMomentum: "yes" as unknown as boolean }),
    "LearningRateMonitor: 'logMomentum' must be true or false, got 'yes'",
  );
  throwsWith(
    () => new callbacks.LearningRateMonitor({ logMomentun: true } as never),
    "LearningRateMonitor has no option 'logMomentun'. Did you mean 'logMomentum'?",
  );
});
