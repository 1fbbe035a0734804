/**
 * `tuner.lrFind`: the sweep's learning rates, losses and suggestion, the files it writes, and the
 * model, optimizer and generator put back bit for bit.
 */
import assert from "node:assert/strict";
import { nn, System, tuner } from "../../mod.ts";
import { getRandomState } from "../../src/tensor/random_state.ts";
import { loadFixtures } from "../_helpers.ts";
import { quietTrainer, rejectsWith, tinySystem, type TrainerFixture } from "../trainer/_tiny.ts";
import { readLrCsv, stateBytes, tempDir } from "./_helpers.ts";

const f32 = Math.fround;

/** Lightning's smoothing of the raw losses (`_LRCallback.on_train_batch_end`), in float64. */
function lightningSmoothing(raw: number[], beta = 0.98): number[] {
  let avg = 0;
  return raw.map((loss, i) => {
    avg = beta * avg + (1 - beta) * loss;
    return avg / (1 - beta ** (i + 2)); // global_step is i + 1 after the step
  });
}

/**
 * Lightning's `suggestion()` re-implemented: losses[10:-1], finite in float32, torch.gradient
 * with the learning rates as coordinates (float32), the first argmin.
 */
function lightningSuggestion(lrs: number[], losses: number[]): number | null {
  const keep: number[] = [];
  for (let i = 10; i < losses.length - 1; i++) if (Number.isFinite(f32(losses[i]))) keep.push(i);
  if (keep.length < 2) return null;
  const x = keep.map((i) => f32(lrs[i])), y = keep.map((i) => f32(losses[i]));
  const n = y.length;
  const grad = y.map((_, j) => {
    if (j === 0) return f32(f32(y[1] - y[0]) / f32(x[1] - x[0]));
    if (j === n - 1) return f32(f32(y[n - 1] - y[n - 2]) / f32(x[n - 1] - x[n - 2]));
    const h1 = f32(x[j] - x[j - 1]), h2 = f32(x[j + 1] - x[j]);
    const a = f32(-h2 / f32(h1 * f32(h1 + h2)));
    const b = f32(f32(h2 - h1) / f32(h1 * h2));
    const c = f32(h1 / f32(h2 * f32(h1 + h2)));
    return f32(f32(f32(a * y[j - 1]) + f32(b * y[j])) + f32(c * y[j + 1]));
  });
  let best = 0;
  grad.forEach((g, j) => {
    if (g < grad[best]) best = j;
  });
  return keep[best];
}

Deno.test("lr_find restores the weights, optimizer state, rate, generator and loader bit for bit", async () => {
  const system = await tinySystem({ mlp: true }); // Dropout: the sweep draws random numbers.
  await quietTrainer({ maxEpochs: 1 }).fit(system); // Momentum buffers exist now.
  const before = await stateBytes(system);
  const rng = getRandomState();
  const epoch = system.dataloaders.train!.epoch;
  const training = [...system.model.modules()].map((m) => m.training);
  system.model.eval();
  const result = await tuner.lrFind(quietTrainer({ defaultRootDir: tempDir() }), system, {
    earlyStopThreshold: null,
  });
  assert.ok(result);
  // The sweep trained: its losses moved (the learning rate reached 1).
  assert.notEqual(result.rawLosses[99], result.rawLosses[0]);
  assert.deepEqual(await stateBytes(system), before);
  assert.equal(system.optimizer!.paramGroups[0].lr, 0.5);
  assert.deepEqual(getRandomState(), rng);
  assert.equal(system.dataloaders.train!.epoch, epoch);
  assert.ok([...system.model.modules()].every((m) => !m.training), "eval mode kept");
  assert.equal(training.length, [...system.model.modules()].length);
});

Deno.test("lr_find writes lr_find.csv: exponential rates, Lightning's smoothing and suggestion", async () => {
  const f = await loadFixtures<TrainerFixture>("trainer");
  const c = f.cases[0];
  const system = await tinySystem({ weights: { weight: c.weight0, bias: c.bias0 }, lr: 0.1 });
  const dir = tempDir();
  const result = await tuner.lrFind(quietTrainer({ defaultRootDir: dir }), system, {
    earlyStopThreshold: null,
  });
  assert.ok(result);
  assert.equal(result.csvPath, `${dir}/lr_find.csv`);
  const { header, rows } = await readLrCsv(result.csvPath);
  assert.equal(header, "lr,loss");
  assert.equal(rows.length, 100);
  rows.forEach(([lr], i) => assert.equal(lr, 1e-8 * (1 / 1e-8) ** (i / 99), `lr ${i}`));
  assert.equal(rows[0][0], 1e-8);
  assert.equal(rows[99][0], 1);
  assert.deepEqual(rows.map((r) => r[1]), result.losses);
  assert.deepEqual(result.losses, lightningSmoothing(result.rawLosses));
  // The first loss is the initial model's cross entropy on the first batch (lr 1e-8 changes
  // nothing before it), computed here on the host from the torch fixture.
  let ce = 0;
  for (let r = 0; r < 8; r++) {
    const logits = [0, 1, 2].map((k) =>
      c.bias0.data[k] +
      [0, 1, 2, 3].reduce((s, j) => s + c.weight0.data[k * 4 + j] * f.x.data[r * 4 + j], 0)
    );
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((s, v) => s + Math.exp(v - m), 0));
    ce += (lse - logits[f.y.data[r]]) / 8;
  }
  assert.ok(Math.abs(result.rawLosses[0] - ce) < 1e-5, `${result.rawLosses[0]} vs ${ce}`);
  const index = lightningSuggestion(rows.map((r) => r[0]), rows.map((r) => r[1]));
  assert.notEqual(index, null);
  assert.equal(result.suggestionIndex, index);
  assert.equal(result.suggestion, rows[index!][0]);
  assert.equal(result.stoppedEarly, false);
  const svg = await Deno.readTextFile(result.svgPath);
  assert.equal(result.svgPath, `${dir}/lr_find.svg`);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const points = svg.match(/<polyline [^>]*points="([^"]+)"/)![1].split(" ");
  assert.equal(points.length, 100);
  assert.match(svg, /<circle [^>]*fill="red"/);
  assert.match(svg, new RegExp(`suggested lr ${Number(result.suggestion!.toPrecision(3))}<`));
});

Deno.test("lr_find stops early when the smoothed loss exceeds 4x the best (fewer rows)", async () => {
  const system = await tinySystem();
  const result = await tuner.lrFind(quietTrainer({ defaultRootDir: tempDir() }), system, {
    minLr: 1e-3,
    maxLr: 1e5,
  });
  assert.ok(result);
  const n = result.losses.length;
  assert.ok(n < 100, `${n} rows`);
  assert.equal(result.stoppedEarly, true);
  const { rows } = await readLrCsv(result.csvPath);
  assert.equal(rows.length, n);
  // Lightning's rule: the first step (from the second on) whose smoothed loss exceeds 4x the best
  // smoothed loss before it is the last one recorded.
  let best: number = result.losses[0];
  for (let k = 1; k < n; k++) {
    const diverged: boolean = result.losses[k] > 4 * best;
    assert.equal(diverged, k === n - 1, `step ${k + 1}`);
    best = Math.min(best, result.losses[k]);
  }
  rows.forEach(([lr], i) => assert.equal(lr, 1e-3 * (1e5 / 1e-3) ** (i / 99)));
});

Deno.test("lr_find: linear rates, one per optimizer step with gradient accumulation", async () => {
  const system = await tinySystem();
  const trainer = quietTrainer({ defaultRootDir: tempDir(), accumulateGradBatches: 2 });
  const result = await tuner.lrFind(trainer, system, {
    mode: "linear",
    minLr: 0.01,
    maxLr: 0.5,
    numTraining: 12,
    earlyStopThreshold: null,
  });
  assert.ok(result);
  assert.equal(result.lrs.length, 12);
  result.lrs.forEach((lr, i) => assert.equal(lr, 0.01 + (0.5 - 0.01) * (i / 11)));
  // 12 rows, too few for a suggestion (losses[10:-1] holds one point).
  assert.equal(result.suggestion, null);
  assert.doesNotMatch(await Deno.readTextFile(result.svgPath), /<circle/);
});

Deno.test("lr_find: update_attr sets the suggestion; fast_dev_run skips; bad options are named", async () => {
  const system = await tinySystem();
  const result = await tuner.lrFind(quietTrainer({ defaultRootDir: tempDir() }), system, {
    numTraining: 30,
    maxLr: 0.5,
    updateAttr: true,
  });
  assert.ok(result?.suggestion);
  assert.equal(system.optimizer!.paramGroups[0].lr, result.suggestion);

  const dir = tempDir();
  assert.equal(
    await tuner.lrFind(quietTrainer({ fastDevRun: true, defaultRootDir: dir }), system),
    null,
  );
  assert.deepEqual([...Deno.readDirSync(dir)], []);

  const trainer = quietTrainer({ defaultRootDir: tempDir() });
  await rejectsWith(
    () => tuner.lrFind(trainer, system, { minLR: 1e-6 } as never),
    "lr_find has no option 'minLR'. Did you mean 'minLr' or 'maxLr'?",
  );
  await rejectsWith(
    () => tuner.lrFind(trainer, system, { mode: "cosine" } as never),
    "lr_find option 'mode' must be 'exponential' or 'linear', got 'cosine'",
  );
  await rejectsWith(
    () => tuner.lrFind(trainer, system, { numTraining: 0 }),
    "lr_find option 'numTraining' must be an integer >= 1, got 0",
  );
  await rejectsWith(
    () => tuner.lrFind(trainer, system, { minLr: 1, maxLr: 0.1 }),
    "lr_find: min_lr (1) must be smaller than max_lr (0.1)",
  );
  const bare = new System({ model: new nn.Linear({ inFeatures: 4, outFeatures: 3 }) });
  await rejectsWith(
    () => tuner.lrFind(trainer, bare),
    "Please specify 'system.optimizer' in the config.",
  );
  await rejectsWith(
    () =>
      new tuner.Tuner(trainer).lrFind(
        new System({ model: system.model, optimizer: system.optimizer }),
      ),
    "lr_find needs a train dataloader: set system::dataloaders::train in the config",
  );
});
