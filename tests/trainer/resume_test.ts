/**
 * Exact resume: a fit cut at an epoch end, or mid-epoch from an every_n_train_steps checkpoint,
 * and resumed ends with the same bytes in every weight and optimizer tensor as an unbroken fit.
 * Same seed, same bits; a kill -9 at any moment leaves every checkpoint loadable.
 */
import assert from "node:assert/strict";
import { callbacks, deviceStats, manualSeed, memory, Trainer } from "../../mod.ts";
import { readCheckpoint } from "../../src/trainer/checkpoint.ts";
import { quietTrainer, rejectsWith, snapshot, tempDir, tinySystem } from "./_tiny.ts";

const SYSTEM = { mlp: true, optimizer: "adam", scheduler: true, shuffle: true } as const;

async function fitFrom(
  epochs: number,
  seed: number,
  checkpoint?: callbacks.ModelCheckpoint,
  ckptPath?: string,
) {
  manualSeed(seed);
  const system = await tinySystem(SYSTEM);
  const trainer = new Trainer({
    maxEpochs: epochs,
    logger: false,
    enableProgressBar: false,
    enableCheckpointing: checkpoint !== undefined,
    callbacks: checkpoint ? [checkpoint] : [],
  });
  await trainer.fit(system, { ckptPath: ckptPath ?? null });
  return { system, trainer, state: await snapshot(system) };
}

Deno.test("resume after an epoch and mid-epoch gives the unbroken fit's bytes", async () => {
  const dir = tempDir();
  const unbroken = await fitFrom(
    4,
    5,
    new callbacks.ModelCheckpoint({ dirpath: dir, filename: "{epoch}", saveTopK: -1 }),
  );
  const steps = tempDir();
  await fitFrom(
    2,
    5,
    new callbacks.ModelCheckpoint({
      dirpath: steps,
      filename: "{step}",
      everyNTrainSteps: 7,
      saveTopK: -1,
    }),
  );
  // The scheduler halves the rate each epoch; dropout draws from the seeded generator.
  const lr = unbroken.system.optimizer!.paramGroups[0].lr;
  assert.equal(lr, 0.01 * 0.5 ** 4);

  const fromEpoch = await fitFrom(4, 99, undefined, `${dir}/epoch=1.ckpt`);
  assert.deepEqual(fromEpoch.state, unbroken.state);
  assert.equal(fromEpoch.trainer.globalStep, 20);

  const fromStep = await fitFrom(4, 123, undefined, `${steps}/step=7.ckpt`);
  assert.deepEqual(fromStep.state, unbroken.state);

  // A fresh fit with another seed differs: the comparison can fail.
  const other = await fitFrom(4, 6);
  assert.notDeepEqual(other.state, unbroken.state);
});

Deno.test("the same seed gives bit-identical weights; resuming past max_epochs is Lightning's error", async () => {
  const a = await fitFrom(2, 42);
  const b = await fitFrom(2, 42);
  assert.deepEqual(a.state, b.state);
  const dir = tempDir();
  await fitFrom(
    3,
    1,
    new callbacks.ModelCheckpoint({ dirpath: dir, filename: "{epoch}", saveTopK: -1 }),
  );
  await rejectsWith(
    () => fitFrom(1, 1, undefined, `${dir}/epoch=2.ckpt`),
    "You restored a checkpoint with current_epoch=2, but you have set Trainer(max_epochs=1).",
  );
});

Deno.test("2,000 fit steps keep memory and the pipeline count flat", async () => {
  manualSeed(0);
  const system = await tinySystem({ optimizer: "adam", trainBatches: 5, valBatches: 1 });
  const seen: { step: number; live: number; allocations: number; pipelines: number }[] = [];
  class Probe extends callbacks.Callback {
    override onTrainBatchEnd(trainer: { globalStep: number }): void {
      if (trainer.globalStep === 200 || trainer.globalStep === 2000) {
        const m = memory();
        seen.push({
          step: trainer.globalStep,
          live: m.liveBytes,
          allocations: m.allocations,
          pipelines: deviceStats().pipelines,
        });
      }
    }
  }
  await quietTrainer({ maxSteps: 2000, maxEpochs: -1, callbacks: [new Probe()] }).fit(system);
  assert.equal(seen.length, 2);
  // No new GPU buffer and no new pipeline after step 200; live bytes do not grow (they may
  // shrink when the garbage collector frees tensors of earlier tests).
  assert.equal(seen[1].allocations, seen[0].allocations);
  assert.equal(seen[1].pipelines, seen[0].pipelines);
  assert.ok(seen[1].live <= seen[0].live, `live bytes grew: ${seen[0].live} -> ${seen[1].live}`);
});

Deno.test("kill -9 at random moments leaves every checkpoint loadable", async () => {
  const script = new URL("./fixtures/kill_fit.ts", import.meta.url).pathname;
  for (let round = 0; round < 3; round++) {
    const dir = tempDir();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, dir],
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Wait for the first checkpoint, then a random moment more.
    for (
      let i = 0;
      i < 600 && ![...Deno.readDirSync(dir)].some((e) => e.name.endsWith(".ckpt"));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 1500));
    child.kill("SIGKILL");
    await child.status;
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".ckpt"));
    assert.ok(files.includes("last.ckpt"), `round ${round}: ${files}`);
    for (const f of files) {
      const ckpt = await readCheckpoint(`${dir}/${f}`);
      assert.ok(Number.isInteger(ckpt.meta.global_step), `${f} has a global step`);
      assert.ok(Object.keys(ckpt.tensors).some((k) => k.startsWith("model.")), `${f} has weights`);
      for (const t of Object.values(ckpt.tensors)) t.dispose();
    }
  }
});

Deno.test("a lost device ends the fit with a clear message and leaves last.ckpt loadable", async () => {
  const dir = tempDir();
  const script = new URL("./fixtures/lose_device_fit.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, dir],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.match(text, /^error: The GPU device was lost \(destroyed: .*\); restart the process/m);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const ckpt = await readCheckpoint(`${dir}/last.ckpt`);
  assert.equal(ckpt.meta.global_step, 10);
  for (const t of Object.values(ckpt.tensors)) t.dispose();
});
