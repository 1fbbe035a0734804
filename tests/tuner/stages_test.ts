/**
 * The `lr_find` and `scale_batch_size` stages through `run()` and the CLI on a fixture config:
 * pruning as fit, `args::<stage>` in snake_case, the files they write and what they print.
 */
import assert from "node:assert/strict";
import { ConfigError, run } from "../../mod.ts";
import { loadPruned } from "../../src/runner/mod.ts";
import { cliProcess, errorLines } from "../cli/helpers.ts";
import { readLrCsv, tempDir } from "./_helpers.ts";

const CONFIG = "tests/tuner/fixtures/tune.yaml";

Deno.test("lr_find and scale_batch_size prune as fit: train and val, optimizer, scheduler, criterion", async () => {
  for (const stage of ["lr_find", "scale_batch_size"] as const) {
    const config = await loadPruned(stage, CONFIG);
    const system = config.get("system") as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(system.dataloaders), ["train", "val"], stage);
    assert.deepEqual(Object.keys(system.metrics), ["train", "val"], stage);
    for (const key of ["optimizer", "scheduler", "criterion", "model"]) {
      assert.ok(key in system, `${stage} keeps ${key}`);
    }
    assert.deepEqual(Object.keys(config.get("args") as object), [stage]);
  }
});

Deno.test("run('lr_find'): the sweep from args::lr_find, files beside hparams.yaml", async () => {
  const root = tempDir();
  const result = await run("lr_find", CONFIG, [`vars::root=${root}`]);
  assert.ok(result);
  const dir = `${root}/lightning_logs/version_0`;
  assert.ok(Deno.statSync(`${dir}/hparams.yaml`).isFile);
  assert.equal(result.csvPath, `${dir}/lr_find.csv`);
  const { rows } = await readLrCsv(result.csvPath);
  assert.ok(rows.length >= 1 && rows.length <= 40, `${rows.length} rows`);
  rows.forEach(([lr], i) => assert.equal(lr, 1e-8 * (1 / 1e-8) ** (i / 39)));
  assert.match(await Deno.readTextFile(`${dir}/lr_find.svg`), /<polyline /);
  const full = await run("lr_find", CONFIG, [
    `vars::root=${root}`,
    "args::lr_find::early_stop_threshold=null",
    "args::lr_find::mode=linear",
    "args::lr_find::max_lr=0.5",
  ]);
  assert.equal(full?.lrs.length, 40);
  assert.equal(full?.lrs[39], 0.5);
  assert.equal(full?.csvPath, `${root}/lightning_logs/version_1/lr_find.csv`);
});

Deno.test("run('scale_batch_size'): doubling stops at the dataset's 32 samples, less the margin", async () => {
  const root = tempDir();
  const result = await run("scale_batch_size", CONFIG, [
    `vars::root=${root}`,
    "args::scale_batch_size::mode=binsearch",
  ]);
  assert.ok(result);
  assert.deepEqual(result.trials.map((t) => t.batchSize), [2, 4, 8, 16, 32]);
  assert.equal(result.batchSize, 30); // binsearch takes Lightning's 5% margin: int(32 * 0.95)
  const json = JSON.parse(
    await Deno.readTextFile(`${root}/lightning_logs/version_0/scale_batch_size.json`),
  );
  assert.equal(json.batch_size, 30);
  assert.equal(json.mode, "binsearch");
  assert.equal(json.margin, 0.05);
  assert.equal(json.steps_per_trial, 1);
});

Deno.test("tuner stage arguments: unknown names and wrong values are config errors", async () => {
  await assert.rejects(
    () => run("lr_find", CONFIG, ["args::lr_find::num_trainig=5"]),
    (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(
        e.message,
        /args::lr_find::num_trainig: Unknown argument 'num_trainig' of the lr_find stage \(Tuner\.lr_find\)\. Did you mean 'num_training'\? Valid arguments of lr_find: min_lr, max_lr, num_training, mode, early_stop_threshold, update_attr$/,
      );
      return true;
    },
  );
  await assert.rejects(
    () => run("lr_find", CONFIG, ["args::lr_find::mode=cosine"]),
    /@ args::lr_find::mode: 'mode' of the lr_find stage must be 'exponential' or 'linear', got 'cosine'/,
  );
  await assert.rejects(
    () => run("scale_batch_size", CONFIG, ["args::scale_batch_size::max_trials=0"]),
    /'max_trials' of the scale_batch_size stage must be an integer >= 1, got 0/,
  );
  await assert.rejects(
    () => run("scale_batch_size", CONFIG, ["args::scale_batch_size=[1]"]),
    /@ args::scale_batch_size: 'args::scale_batch_size' must be a mapping, got a list/,
  );
});

Deno.test("the CLI runs both stages and prints what they found", async () => {
  const root = tempDir();
  const lr = await cliProcess(["lr_find", CONFIG, `vars::root=${root}`]);
  assert.equal(lr.code, 0, lr.stderr);
  assert.match(lr.stdout, /lr_find: suggested learning rate \S+ \(step \d+ of \d+\)/);
  assert.ok(lr.stdout.includes(`lr_find: wrote ${root}/lightning_logs/version_0/lr_find.csv`));
  assert.ok(Deno.statSync(`${root}/lightning_logs/version_0/lr_find.svg`).isFile);
  const bs = await cliProcess([
    "scale_batch_size",
    CONFIG,
    `vars::root=${root}`,
    "args::scale_batch_size::max_val=8",
  ]);
  assert.equal(bs.code, 0, bs.stderr);
  assert.match(bs.stdout, /Reached the maximum batch size limit of 8\. Stopping search\./);
  assert.match(
    bs.stdout,
    /Finished batch size finder, will continue with full run using batch size 8\n/,
  );
  const json = JSON.parse(
    await Deno.readTextFile(`${root}/lightning_logs/version_1/scale_batch_size.json`),
  );
  assert.equal(json.batch_size, 8);
  const bad = await cliProcess(["lr_find", CONFIG, "args::lr_find::min_l=0.1"]);
  assert.equal(bad.code, 1);
  assert.match(
    errorLines(bad.stderr)[0],
    /^error: override 'args::lr_find::min_l=0\.1' @ args::lr_find::min_l: Unknown argument 'min_l' of the lr_find stage/,
  );
});
