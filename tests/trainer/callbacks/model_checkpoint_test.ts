import assert from "node:assert/strict";
import { ModelCheckpoint } from "../../../src/trainer/callbacks/mod.ts";
import { FakeTrainer, listFiles, readSaved } from "./_fake_trainer.ts";

/** A whole Lightning 2.6.6 fit's files and metrics (a copy of the shared fixture). */
interface LightningLayout {
  files: string[];
  metrics_csv: string;
  best_model_path: string;
  global_step: number;
}
const layout: LightningLayout = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/lightning_layout.json", import.meta.url)),
);

/** The fixture's epoch-level values: `key` → value per epoch. */
function epochValues(key: string): number[] {
  const [header, ...rows] = layout.metrics_csv.trimEnd().split("\n");
  const col = header.split(",").indexOf(key);
  return rows.map((r) => r.split(",")[col]).filter((c) => c !== "").map(Number);
}

async function tmp(): Promise<string> {
  return await Deno.realPath(await Deno.makeTempDir({ prefix: "lumen_ckpt_" }));
}

/** Runs epochs whose validation logs `val/loss/epoch` = values[e]. */
async function fitWithValLoss(trainer: FakeTrainer, values: number[]): Promise<void> {
  for (const v of values) await trainer.epoch({ val: { "val/loss/epoch": v } });
}

Deno.test("ModelCheckpoint reproduces the files of a real Lightning 2.6.6 fit", async () => {
  const root = await tmp();
  const val = epochValues("val/loss/epoch");
  const train = epochValues("train/loss/epoch");
  assert.deepEqual(val.length, 3);
  // The run: top-2 by val/loss/epoch with last.ckpt in the logger's folder, and a second
  // callback keeping the newest checkpoint under a fixed dirpath with a plain-value name.
  const main = new ModelCheckpoint({ monitor: "val/loss/epoch", saveTopK: 2, saveLast: true });
  const named = new ModelCheckpoint({
    dirpath: `${root}/named`,
    filename: "best-{epoch:02d}-{train/loss/epoch:.4f}",
    autoInsertMetricName: false,
  });
  const trainer = new FakeTrainer([main, named], {
    root,
    logDir: `${root}/lightning_logs/version_0`,
  });
  const presentAtSave = new Map<string, string[]>();
  trainer.beforeSave = async (p) => void presentAtSave.set(p, await listFiles(root));
  await trainer.setup();
  await trainer.validate({}, true); // the sanity check saves nothing
  assert.deepEqual(trainer.saves, []);
  for (let e = 0; e < 3; e++) {
    await trainer.epoch({
      val: { "val/loss/epoch": val[e] },
      train: { "train/loss/epoch": train[e] },
    });
  }
  await trainer.trainEnd();
  assert.equal(trainer.globalStep, layout.global_step);
  const expected = layout.files.filter((f) => f.endsWith(".ckpt"));
  assert.deepEqual(await listFiles(root), expected);
  assert.equal(main.bestModelPath, `${root}/${layout.best_model_path}`);
  assert.equal(main.bestModelScore, val[2]);
  assert.deepEqual(main.bestKModels, {
    [`${root}/lightning_logs/version_0/checkpoints/epoch=1-step=10.ckpt`]: val[1],
    [`${root}/lightning_logs/version_0/checkpoints/epoch=2-step=15.ckpt`]: val[2],
  });
  assert.equal(
    main.kthBestModelPath,
    `${root}/lightning_logs/version_0/checkpoints/epoch=1-step=10.ckpt`,
  );
  assert.equal(main.lastModelPath, `${root}/lightning_logs/version_0/checkpoints/last.ckpt`);
  // Files hold what the trainer wrote at that step; last.ckpt is the newest.
  const last = await readSaved(main.lastModelPath);
  assert.equal(last.step, 15);
  assert.equal(last.epoch, 2);
  // The replaced checkpoint (epoch 0) was still there when its successor was written.
  const ckpts = `${root}/lightning_logs/version_0/checkpoints`;
  assert.ok(
    presentAtSave.get(`${ckpts}/epoch=2-step=15.ckpt`)!.includes(
      "lightning_logs/version_0/checkpoints/epoch=0-step=5.ckpt",
    ),
  );
  // The checkpoint's callback state names the new file best, before it is written.
  const state = last.callbacks[main.stateKey];
  assert.equal(state.best_model_path, main.bestModelPath);
  assert.equal(
    main.stateKey,
    "ModelCheckpoint{'monitor': 'val/loss/epoch', 'mode': 'min', 'every_n_train_steps': 0, " +
      "'every_n_epochs': 1, 'train_time_interval': None}",
  );
});

Deno.test("ModelCheckpoint: default folders (logger's logDir, else defaultRootDir)", async () => {
  const root = await tmp();
  const a = new ModelCheckpoint();
  await new FakeTrainer([a], { root, logDir: `${root}/logs/x/version_3` }).setup();
  assert.equal(a.dirpath, `${root}/logs/x/version_3/checkpoints`);
  const b = new ModelCheckpoint({});
  const t = new FakeTrainer([b], { root, valBatches: 0 });
  await t.setup();
  assert.equal(b.dirpath, `${root}/checkpoints`);
  await t.epoch({});
  assert.deepEqual(await listFiles(root), ["checkpoints/epoch=0-step=5.ckpt"]);
});

Deno.test("ModelCheckpoint: file name templates", () => {
  const name = (filename: string | undefined, m: Record<string, number>, auto = true) =>
    new ModelCheckpoint({ filename, autoInsertMetricName: auto }).formatCheckpointName(m);
  // Lightning's documented examples (format_checkpoint_name's doctests).
  assert.equal(name("{epoch}", { epoch: 0 }), "epoch=0.ckpt");
  assert.equal(name("{epoch:03d}", { epoch: 5 }), "epoch=005.ckpt");
  assert.equal(
    name("{epoch}-{val_loss:.2f}", { epoch: 2, val_loss: 0.123456 }),
    "epoch=2-val_loss=0.12.ckpt",
  );
  assert.equal(
    name("epoch={epoch}-validation_loss={val_loss:.2f}", { epoch: 2, val_loss: 0.123456 }, false),
    "epoch=2-validation_loss=0.12.ckpt",
  );
  assert.equal(name("{missing:d}", {}), "missing=0.ckpt");
  assert.equal(name("{step}", { step: 0 }), "step=0.ckpt");
  assert.equal(name(undefined, { epoch: 1, step: 10 }), "epoch=1-step=10.ckpt");
  // Lightning's docs: checkpoint_{epoch:02d}-{acc:02.0f} with epoch 1, acc 1.12.
  assert.equal(
    name("checkpoint_{epoch:02d}-{acc:02.0f}", { epoch: 1, acc: 1.12 }),
    "checkpoint_epoch=01-acc=01.ckpt",
  );
  // A key that contains another is replaced first ("epoch_test" before "epoch").
  assert.equal(
    name("{epoch}-{epoch_test}", { epoch: 1, epoch_test: 0.5 }),
    "epoch=1-epoch_test=0.5.ckpt",
  );
  assert.equal(name("best", {}), "best.ckpt");
  // A `/` in a metric name makes folders.
  assert.equal(
    name("{val/loss/epoch:.3f}", { "val/loss/epoch": 0.25 }),
    "val/loss/epoch=0.250.ckpt",
  );
  assert.throws(
    () => name("{epoch:.2s}", { epoch: 1 }),
    /ModelCheckpoint: cannot format filename '\{epoch:\.2s\}': Unknown format code 's' for object of type 'int'/,
  );
  assert.throws(
    () => name("{val:d}", { val: 1.5 }),
    /Unknown format code 'd' for object of type 'float'/,
  );
});

Deno.test("ModelCheckpoint: a metric name with '/' writes into sub-folders", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({
    dirpath: `${root}/ck`,
    monitor: "val/loss/epoch",
    filename: "{epoch}-{val/loss/epoch:.2f}",
  });
  const trainer = new FakeTrainer([cb], { root });
  await trainer.setup();
  await fitWithValLoss(trainer, [0.5, 0.25]);
  assert.deepEqual(await listFiles(`${root}/ck`), ["epoch=1-val/loss/epoch=0.25.ckpt"]);
  assert.equal(cb.bestModelPath, `${root}/ck/epoch=1-val/loss/epoch=0.25.ckpt`);
});

Deno.test("ModelCheckpoint: filename 'best' with saveLast leaves exactly best.ckpt and last.ckpt", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({ dirpath: `${root}/c`, filename: "best", saveLast: true });
  const trainer = new FakeTrainer([cb], { root, valBatches: 0 });
  await trainer.setup();
  for (let e = 0; e < 3; e++) await trainer.epoch({});
  await trainer.trainEnd();
  assert.deepEqual(await listFiles(`${root}/c`), ["best.ckpt", "last.ckpt"]);
  assert.equal((await readSaved(`${root}/c/best.ckpt`)).step, 15);
  assert.equal((await readSaved(`${root}/c/last.ckpt`)).step, 15);
});

Deno.test("ModelCheckpoint: top-k by monitor, replaced files deleted after the new one", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({
    dirpath: `${root}/c`,
    monitor: "val/loss/epoch",
    saveTopK: 2,
    filename: "{epoch}",
  });
  const trainer = new FakeTrainer([cb], { root });
  const seen: string[][] = [];
  trainer.beforeSave = async () => void seen.push(await listFiles(`${root}/c`));
  await trainer.setup();
  await fitWithValLoss(trainer, [3, 2, 4, 1]);
  assert.deepEqual(await listFiles(`${root}/c`), ["epoch=1.ckpt", "epoch=3.ckpt"]);
  // Epoch 2 (4) was not in the top 2: not saved. Epoch 3 replaced epoch 0, which still existed
  // while epoch 3 was being written.
  assert.deepEqual(trainer.saves.map((s) => s.epoch), [0, 1, 3]);
  assert.deepEqual(seen.at(-1), ["epoch=0.ckpt", "epoch=1.ckpt"]);
  assert.equal(cb.bestModelPath, `${root}/c/epoch=3.ckpt`);
  assert.equal(cb.bestModelScore, 1);
  assert.equal(cb.kthBestModelPath, `${root}/c/epoch=1.ckpt`);
  assert.equal(cb.kthValue, 2);
  assert.equal(cb.currentScore, 1);
  // mode max keeps the highest.
  const root2 = await tmp();
  const max = new ModelCheckpoint({
    dirpath: `${root2}/c`,
    monitor: "acc",
    mode: "max",
    filename: "{epoch}",
  });
  const t2 = new FakeTrainer([max], { root: root2 });
  await t2.setup();
  for (const v of [0.5, 0.75, 0.25]) await t2.epoch({ val: { acc: v } });
  assert.deepEqual(await listFiles(`${root2}/c`), ["epoch=1.ckpt"]);
  assert.equal(max.bestModelScore, 0.75);
});

Deno.test("ModelCheckpoint: saveTopK -1 keeps all, 0 keeps only last.ckpt; no monitor keeps the newest", async () => {
  const root = await tmp();
  const all = new ModelCheckpoint({
    dirpath: `${root}/all`,
    monitor: "v",
    saveTopK: -1,
    filename: "{epoch}",
  });
  const none = new ModelCheckpoint({
    dirpath: `${root}/none`,
    monitor: "v",
    saveTopK: 0,
    saveLast: true,
  });
  const newest = new ModelCheckpoint({ dirpath: `${root}/newest` });
  const trainer = new FakeTrainer([all, none, newest], { root });
  await trainer.setup();
  for (const v of [3, 1, 2]) await trainer.epoch({ val: { v } });
  // Without a top-k save at a step, Lightning 2.6 does not write last.ckpt ...
  assert.deepEqual(await listFiles(`${root}/none`), []);
  await trainer.trainEnd();
  // ... until training ends.
  assert.deepEqual(await listFiles(`${root}/none`), ["last.ckpt"]);
  assert.equal((await readSaved(`${root}/none/last.ckpt`)).step, 15);
  assert.deepEqual(await listFiles(`${root}/all`), [
    "epoch=0.ckpt",
    "epoch=1.ckpt",
    "epoch=2.ckpt",
  ]);
  assert.deepEqual(all.bestKModels, {
    [`${root}/all/epoch=0.ckpt`]: 3,
    [`${root}/all/epoch=1.ckpt`]: 1,
    [`${root}/all/epoch=2.ckpt`]: 2,
  });
  assert.equal(all.bestModelPath, `${root}/all/epoch=1.ckpt`);
  assert.deepEqual(await listFiles(`${root}/newest`), ["epoch=2-step=15.ckpt"]);
  assert.equal(newest.bestModelPath, `${root}/newest/epoch=2-step=15.ckpt`);
  assert.equal(newest.bestModelScore, null);
});

Deno.test("ModelCheckpoint: clashing names get -v1, -v2; enableVersionCounter false overwrites", async () => {
  const root = await tmp();
  await Deno.mkdir(`${root}/c`);
  await Deno.writeTextFile(`${root}/c/epoch=0-step=5.ckpt`, "from an earlier run");
  await Deno.writeTextFile(`${root}/c/last.ckpt`, "from an earlier run");
  const cb = new ModelCheckpoint({ dirpath: `${root}/c`, saveTopK: -1, saveLast: true });
  const trainer = new FakeTrainer([cb], { root, valBatches: 0 });
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (m: string) => warnings.push(m);
  try {
    await trainer.setup();
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, [`Checkpoint directory ${root}/c exists and is not empty.`]);
  await trainer.epoch({});
  await trainer.epoch({});
  assert.deepEqual(await listFiles(`${root}/c`), [
    "epoch=0-step=5-v1.ckpt",
    "epoch=0-step=5.ckpt",
    "epoch=1-step=10.ckpt",
    "last-v1.ckpt",
    "last.ckpt",
  ]);
  // The earlier run's files are untouched; last-v1.ckpt is overwritten in place.
  assert.equal(await Deno.readTextFile(`${root}/c/last.ckpt`), "from an earlier run");
  assert.equal((await readSaved(`${root}/c/last-v1.ckpt`)).step, 10);
  assert.equal(cb.lastModelPath, `${root}/c/last-v1.ckpt`);

  // The same name twice within one run (a template without changing fields).
  const root2 = await tmp();
  const same = new ModelCheckpoint({
    dirpath: `${root2}/c`,
    monitor: "v",
    saveTopK: 3,
    filename: "model",
  });
  const t2 = new FakeTrainer([same], { root: root2 });
  await t2.setup();
  for (const v of [3, 2, 1]) await t2.epoch({ val: { v } });
  assert.deepEqual(await listFiles(`${root2}/c`), ["model-v1.ckpt", "model-v2.ckpt", "model.ckpt"]);
  assert.equal(same.bestModelPath, `${root2}/c/model-v2.ckpt`);

  const root3 = await tmp();
  const over = new ModelCheckpoint({
    dirpath: `${root3}/c`,
    saveTopK: -1,
    filename: "model",
    enableVersionCounter: false,
  });
  const t3 = new FakeTrainer([over], { root: root3, valBatches: 0 });
  await t3.setup();
  await t3.epoch({});
  await t3.epoch({});
  assert.deepEqual(await listFiles(`${root3}/c`), ["model.ckpt"]);
  assert.equal((await readSaved(`${root3}/c/model.ckpt`)).step, 10);
});

Deno.test("ModelCheckpoint: everyNTrainSteps saves at those global steps only", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({ dirpath: `${root}/c`, everyNTrainSteps: 3, saveTopK: -1 });
  const trainer = new FakeTrainer([cb], { root });
  await trainer.setup();
  await trainer.epoch({ val: { "val/loss/epoch": 1 } });
  await trainer.epoch({ val: { "val/loss/epoch": 1 } });
  assert.deepEqual(await listFiles(`${root}/c`), [
    "epoch=0-step=3.ckpt",
    "epoch=1-step=6.ckpt",
    "epoch=1-step=9.ckpt",
  ]);
  assert.equal(cb.stateKey.includes("'every_n_train_steps': 3, 'every_n_epochs': 0"), true);
});

Deno.test("ModelCheckpoint: everyNTrainSteps with a val-only monitor waits for validation", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({
    dirpath: `${root}/c`,
    everyNTrainSteps: 2,
    monitor: "val/loss/epoch",
    filename: "{step}",
    saveOnTrainEpochEnd: false,
  });
  const trainer = new FakeTrainer([cb], { root });
  await trainer.setup();
  await trainer.epoch({ val: { "val/loss/epoch": 1 } });
  // Steps 2 and 4 had no val/loss/epoch yet: the save happened after validation, at step 5.
  assert.deepEqual(await listFiles(`${root}/c`), ["step=5.ckpt"]);
});

Deno.test("ModelCheckpoint: everyNEpochs", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({
    dirpath: `${root}/c`,
    everyNEpochs: 2,
    saveTopK: -1,
    filename: "{epoch}",
  });
  const trainer = new FakeTrainer([cb], { root, valBatches: 0 });
  await trainer.setup();
  for (let e = 0; e < 5; e++) await trainer.epoch({});
  assert.deepEqual(await listFiles(`${root}/c`), ["epoch=1.ckpt", "epoch=3.ckpt"]);
});

Deno.test("ModelCheckpoint: a missing monitored key is Lightning's error once validation ran", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({ dirpath: `${root}/c`, monitor: "val/acc" });
  const trainer = new FakeTrainer([cb], { root });
  await trainer.setup();
  await assert.rejects(
    trainer.epoch({
      val: { "val/loss/epoch": 0.5 },
      trainStep: () => ({ "train/loss/step": 0.25 }),
    }),
    {
      name: "MisconfigurationException",
      message: "`ModelCheckpoint(monitor='val/acc')` could not find the monitored key in the " +
        "returned metrics: ['train/loss/step', 'val/loss/epoch', 'epoch', 'step']. HINT: the " +
        "System logs `{mode}/loss/epoch` and `{mode}/metrics/{Name}/epoch` (and `/step` " +
        "variants); did it log 'val/acc' before this check?",
    },
  );
  // Without validation (no val batches) it is a warning and nothing is saved.
  const root2 = await tmp();
  const cb2 = new ModelCheckpoint({ dirpath: `${root2}/c`, monitor: "val/acc" });
  const t2 = new FakeTrainer([cb2], { root: root2, valBatches: 0 });
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (m: string) => warnings.push(m);
  try {
    await t2.setup();
    await t2.epoch({ train: { "train/loss/epoch": 1 } });
  } finally {
    console.warn = warn;
  }
  assert.match(warnings.join("\n"), /ModelCheckpoint\(monitor='val\/acc'\)` could not find/);
  assert.deepEqual(await listFiles(`${root2}/c`), []);
});

Deno.test("ModelCheckpoint: saveLast 'link' makes last.ckpt a relative symlink to the newest file", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({
    dirpath: `${root}/c`,
    monitor: "v",
    saveLast: "link",
    filename: "{epoch}",
  });
  const trainer = new FakeTrainer([cb], { root });
  await trainer.setup();
  await trainer.epoch({ val: { v: 2 } });
  assert.deepEqual(await listFiles(`${root}/c`), ["epoch=0.ckpt", "last.ckpt -> epoch=0.ckpt"]);
  await trainer.epoch({ val: { v: 1 } });
  assert.deepEqual(await listFiles(`${root}/c`), ["epoch=1.ckpt", "last.ckpt -> epoch=1.ckpt"]);
  // A worse epoch saves nothing, and the link keeps pointing at the newest saved file.
  await trainer.epoch({ val: { v: 5 } });
  assert.deepEqual(await listFiles(`${root}/c`), ["epoch=1.ckpt", "last.ckpt -> epoch=1.ckpt"]);
  assert.equal((await readSaved(`${root}/c/last.ckpt`)).epoch, 1);
});

Deno.test("ModelCheckpoint: nothing in the sanity check, outside fit, or with fast_dev_run", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({ dirpath: `${root}/explicit`, saveLast: true });
  const trainer = new FakeTrainer([cb], { root });
  trainer.fastDevRun = 1;
  await trainer.setup();
  await trainer.validate({ "val/loss/epoch": 1 }, true);
  await trainer.epoch({ val: { "val/loss/epoch": 1 } });
  await trainer.trainEnd();
  assert.deepEqual(trainer.saves, []);
  // As in Lightning, the explicit dirpath exists (empty).
  assert.deepEqual(await listFiles(`${root}/explicit`), []);
  const root2 = await tmp();
  const cb2 = new ModelCheckpoint({ dirpath: `${root2}/c` });
  const t2 = new FakeTrainer([cb2], { root: root2 });
  await t2.setup("validate");
  await t2.validate({ "val/loss/epoch": 1 });
  assert.deepEqual(t2.saves, []);
});

Deno.test("ModelCheckpoint: validation several times an epoch saves after each validation", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({
    dirpath: `${root}/c`,
    monitor: "v",
    saveTopK: -1,
    filename: "{step}",
  });
  const trainer = new FakeTrainer([cb], { root, batches: 4 });
  await trainer.setup();
  await trainer.epoch({ val: { v: 1 }, valAfter: [1, 3] });
  assert.deepEqual(await listFiles(`${root}/c`), ["step=2.ckpt", "step=4.ckpt"]);
  await trainer.epoch({ val: { v: 2 }, valAfter: [1, 3] });
  assert.deepEqual(trainer.saves.map((s) => s.step), [2, 4, 6, 8]);
});

Deno.test("ModelCheckpoint: validation every other epoch saves only after those validations", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({ dirpath: `${root}/c`, saveTopK: -1, filename: "{epoch}" });
  const trainer = new FakeTrainer([cb], { root });
  await trainer.setup();
  for (let e = 0; e < 4; e++) {
    await trainer.epoch(e % 2 === 1 ? { val: { "val/loss/epoch": 1 } } : {});
  }
  assert.deepEqual(await listFiles(`${root}/c`), ["epoch=1.ckpt", "epoch=3.ckpt"]);
});

Deno.test("ModelCheckpoint: saveWeightsOnly reaches trainer.saveCheckpoint", async () => {
  const root = await tmp();
  const cb = new ModelCheckpoint({ dirpath: `${root}/c`, saveWeightsOnly: true });
  const trainer = new FakeTrainer([cb], { root, valBatches: 0 });
  await trainer.setup();
  await trainer.epoch({});
  assert.equal((await readSaved(`${root}/c/epoch=0-step=5.ckpt`)).weightsOnly, true);
});

Deno.test("ModelCheckpoint: stateDict/loadStateDict keep the top-k bookkeeping across a resume", async () => {
  const root = await tmp();
  const first = new ModelCheckpoint({
    dirpath: `${root}/c`,
    monitor: "val/loss/epoch",
    saveTopK: 2,
    filename: "{epoch}",
  });
  const t1 = new FakeTrainer([first], { root });
  await t1.setup();
  await fitWithValLoss(t1, [3, 1]);
  const saved = await readSaved(`${root}/c/epoch=1.ckpt`);
  const state = saved.callbacks[first.stateKey];
  assert.deepEqual(state, {
    monitor: "val/loss/epoch",
    best_model_score: 1,
    best_model_path: `${root}/c/epoch=1.ckpt`,
    current_score: 1,
    dirpath: `${root}/c`,
    best_k_models: { [`${root}/c/epoch=0.ckpt`]: 3, [`${root}/c/epoch=1.ckpt`]: 1 },
    kth_best_model_path: `${root}/c/epoch=0.ckpt`,
    kth_value: 3,
    last_model_path: "",
  });
  // Before k are kept, kth_value is infinite: JSON gets a string.
  assert.equal(
    new ModelCheckpoint({ monitor: "val/loss/epoch" }).stateDict().kth_value,
    "Infinity",
  );

  // A resumed fit: a new callback restores the state and replaces the right file.
  const second = new ModelCheckpoint({
    dirpath: `${root}/c`,
    monitor: "val/loss/epoch",
    saveTopK: 2,
    filename: "{epoch}",
  });
  const t2 = new FakeTrainer([second], { root });
  t2.currentEpoch = 2;
  t2.globalStep = 10;
  await t2.setup();
  second.loadStateDict(state);
  assert.equal(second.bestModelPath, `${root}/c/epoch=1.ckpt`);
  await fitWithValLoss(t2, [2]);
  assert.deepEqual(await listFiles(`${root}/c`), ["epoch=1.ckpt", "epoch=2.ckpt"]);
  assert.equal(second.kthBestModelPath, `${root}/c/epoch=2.ckpt`);

  // Another folder: only best_model_path comes back, with Lightning's warning.
  const other = new ModelCheckpoint({ dirpath: `${root}/elsewhere`, monitor: "val/loss/epoch" });
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (m: string) => warnings.push(m);
  try {
    other.loadStateDict(state);
  } finally {
    console.warn = warn;
  }
  assert.match(warnings[0], /The dirpath has changed from '.*\/c' to '.*\/elsewhere'/);
  assert.equal(other.bestModelPath, `${root}/c/epoch=1.ckpt`);
  assert.deepEqual(other.bestKModels, {});
});

Deno.test("ModelCheckpoint: bad options name the class and the option", () => {
  assert.throws(
    () => new ModelCheckpoint({ save_top_k: 2 } as never),
    /ModelCheckpoint has no option 'save_top_k'. Did you mean 'saveTopK'\?/,
  );
  assert.throws(
    () => new ModelCheckpoint({ saveTopK: -2 }),
    /ModelCheckpoint: 'saveTopK' must be an integer >= -1, got -2/,
  );
  assert.throws(
    () => new ModelCheckpoint({ saveTopK: 3 }),
    /ModelCheckpoint: saveTopK=3 with no 'monitor' is not a valid configuration/,
  );
  assert.throws(
    () => new ModelCheckpoint({ mode: "avg" as never }),
    /ModelCheckpoint: 'mode' can be min, max but got 'avg'/,
  );
  assert.throws(
    () => new ModelCheckpoint({ everyNEpochs: 1, everyNTrainSteps: 5 }),
    /ModelCheckpoint: everyNTrainSteps=5 and everyNEpochs=1 should be mutually exclusive/,
  );
  assert.throws(
    () => new ModelCheckpoint({ saveLast: "yes" as never }),
    /ModelCheckpoint: 'saveLast' must be true, false or "link", got "yes"/,
  );
});
