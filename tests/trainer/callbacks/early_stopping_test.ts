import assert from "node:assert/strict";
import { EarlyStopping, EarlyStoppingReason } from "../../../src/trainer/callbacks/mod.ts";
import { FakeTrainer } from "./_fake_trainer.ts";

const KEY = "val/loss/epoch";

/** Runs epochs with validation values `values` until the trainer is told to stop. */
async function run(
  stop: EarlyStopping,
  values: number[],
  options: { key?: string; valBatches?: number } = {},
): Promise<FakeTrainer> {
  const trainer = new FakeTrainer([stop], { root: "/nonexistent", valBatches: options.valBatches });
  await trainer.setup();
  for (const v of values) {
    // Logged values are float32 numbers read back from the device.
    await trainer.epoch({ val: { [options.key ?? KEY]: Math.fround(v) } });
    if (trainer.shouldStop) break;
  }
  return trainer;
}

/** Captures what `console.error` prints (verbose decisions). */
async function printed(fn: () => Promise<unknown>): Promise<string[]> {
  const original = console.error;
  const lines: string[] = [];
  console.error = (m: string) => lines.push(m);
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return lines;
}

Deno.test("EarlyStopping: patience counts checks without improvement", async () => {
  const stop = new EarlyStopping({ monitor: KEY, patience: 3, verbose: true });
  let trainer!: FakeTrainer;
  const lines = await printed(async () => {
    trainer = await run(stop, [1.0, 0.9, 0.95, 0.92, 0.93, 0.5]);
  });
  assert.equal(trainer.shouldStop, true);
  assert.equal(trainer.currentEpoch, 5); // stopped after epoch index 4
  assert.equal(stop.stoppedEpoch, 4);
  assert.equal(stop.waitCount, 3);
  assert.equal(stop.bestScore, Math.fround(0.9));
  assert.equal(stop.stoppingReason, EarlyStoppingReason.PATIENCE_EXHAUSTED);
  // Lightning's messages (formats from early_stopping.py; numbers as Python prints float32 values).
  assert.deepEqual(lines, [
    "Metric val/loss/epoch improved. New best score: 1.000",
    "Metric val/loss/epoch improved by 0.100 >= min_delta = 0.0. New best score: 0.900",
    "Monitored metric val/loss/epoch did not improve in the last 3 records. Best score: 0.900. " +
    "Signaling Trainer to stop.",
  ]);
  assert.equal(stop.stoppingReasonMessage, lines[2]);
});

Deno.test("EarlyStopping: an improvement resets the wait count", async () => {
  const stop = new EarlyStopping({ monitor: KEY, patience: 2 });
  const trainer = await run(stop, [1.0, 1.1, 0.8, 0.9, 0.85, 0.95]);
  // 1.1 waits (1), 0.8 resets, 0.9 (1), 0.85 (2) stops.
  assert.equal(stop.stoppedEpoch, 4);
  assert.equal(trainer.currentEpoch, 5);
});

Deno.test("EarlyStopping: minDelta in min and max mode, compared in float32", async () => {
  // min: an improvement must be below best - minDelta.
  const min = new EarlyStopping({ monitor: KEY, minDelta: 0.1, patience: 1 });
  assert.equal(min.minDelta, -0.1);
  await run(min, [1.0, 0.95]);
  assert.equal(min.stoppedEpoch, 1);
  const min2 = new EarlyStopping({ monitor: KEY, minDelta: 0.1, patience: 1 });
  const t2 = await run(min2, [1.0, 0.85, 0.7]);
  assert.equal(t2.shouldStop, false);
  assert.equal(min2.bestScore, Math.fround(0.7));
  // torch: (tensor(0.2) - (-0.1)) < tensor(0.3) is False; in float64, 0.2f + 0.1 < 0.3f is True.
  const f32 = new EarlyStopping({ monitor: KEY, minDelta: 0.1, patience: 1 });
  await run(f32, [0.3, 0.2]);
  assert.equal(f32.stoppingReason, EarlyStoppingReason.PATIENCE_EXHAUSTED);
  assert.equal(f32.bestScore, Math.fround(0.3));
  // max: above best + minDelta.
  const max = new EarlyStopping({ monitor: "val/acc", mode: "max", minDelta: 0.05, patience: 1 });
  assert.equal(max.minDelta, 0.05);
  assert.equal(max.bestScore, -Infinity);
  const t3 = await run(max, [0.5, 0.6, 0.62], { key: "val/acc" });
  assert.equal(t3.shouldStop, true);
  assert.equal(max.stoppedEpoch, 2);
  assert.equal(max.bestScore, Math.fround(0.6));
});

Deno.test("EarlyStopping: stopping and divergence thresholds", async () => {
  const stop = new EarlyStopping({ monitor: KEY, stoppingThreshold: 0.5, patience: 10 });
  const t = await run(stop, [1.0, 0.7, 0.49, 0.3]);
  assert.equal(t.shouldStop, true);
  assert.equal(stop.stoppedEpoch, 2);
  assert.equal(stop.stoppingReason, EarlyStoppingReason.STOPPING_THRESHOLD);
  // torch prints tensor(0.4900) for a float32 0.49.
  assert.equal(
    stop.stoppingReasonMessage,
    "Stopping threshold reached: val/loss/epoch = tensor(0.4900) < 0.5. Signaling Trainer to stop.",
  );
  // Reaching the threshold exactly is not enough (strict comparison, in float32).
  const exact = new EarlyStopping({ monitor: KEY, stoppingThreshold: 0.5 });
  assert.equal((await run(exact, [0.5])).shouldStop, false);

  const div = new EarlyStopping({ monitor: KEY, divergenceThreshold: 5, patience: 10 });
  const t2 = await run(div, [1.0, 4.0, 6.0, 0.1]);
  assert.equal(div.stoppedEpoch, 2);
  assert.equal(div.stoppingReason, EarlyStoppingReason.DIVERGENCE_THRESHOLD);
  assert.equal(
    div.stoppingReasonMessage,
    "Divergence threshold reached: val/loss/epoch = tensor(6.) < 5. Signaling Trainer to stop.",
  );
  assert.equal(t2.shouldStop, true);
  const maxDiv = new EarlyStopping({ monitor: "acc", mode: "max", divergenceThreshold: 0.1 });
  await run(maxDiv, [0.5, 0.05], { key: "acc" });
  assert.equal(maxDiv.stoppingReason, EarlyStoppingReason.DIVERGENCE_THRESHOLD);
});

Deno.test("EarlyStopping: a value that is not finite stops (checkFinite), else it waits", async () => {
  const stop = new EarlyStopping({ monitor: KEY });
  await run(stop, [0.9, NaN, 0.1]);
  assert.equal(stop.stoppedEpoch, 1);
  assert.equal(stop.stoppingReason, EarlyStoppingReason.NON_FINITE_METRIC);
  assert.equal(
    stop.stoppingReasonMessage,
    "Monitored metric val/loss/epoch = tensor(nan) is not finite. Previous best value was 0.900. " +
      "Signaling Trainer to stop.",
  );
  const inf = new EarlyStopping({ monitor: KEY });
  await run(inf, [Infinity]);
  assert.match(
    inf.stoppingReasonMessage!,
    /= tensor\(inf\) is not finite. Previous best value was inf\./,
  );
  const lax = new EarlyStopping({ monitor: KEY, checkFinite: false, patience: 2 });
  const t = await run(lax, [0.9, NaN, 0.8, NaN, NaN]);
  // NaN is never an improvement: it only waits.
  assert.equal(lax.stoppedEpoch, 4);
  assert.equal(lax.stoppingReason, EarlyStoppingReason.PATIENCE_EXHAUSTED);
  assert.equal(t.shouldStop, true);
});

Deno.test("EarlyStopping: a missing key is Lightning's RuntimeError (strict) or skipped", async () => {
  const stop = new EarlyStopping({ monitor: "val/acc" });
  await assert.rejects(run(stop, [0.5]), {
    message: "Early stopping conditioned on metric `val/acc` which is not available. Pass in or " +
      "modify your `EarlyStopping` callback to use any of the following: `val/loss/epoch`",
  });
  const lax = new EarlyStopping({ monitor: "val/acc", strict: false });
  const t = await run(lax, [0.5, 0.5, 0.5, 0.5]);
  assert.equal(t.shouldStop, false);
  assert.equal(lax.waitCount, 0);
});

Deno.test("EarlyStopping: skipped in the sanity check, outside fit and with fast_dev_run", async () => {
  const stop = new EarlyStopping({ monitor: KEY, stoppingThreshold: 1 });
  const trainer = new FakeTrainer([stop], { root: "/nonexistent" });
  await trainer.setup();
  await trainer.validate({ [KEY]: 0.5 }, true);
  assert.equal(trainer.shouldStop, false);
  const v = new FakeTrainer([stop], { root: "/nonexistent" });
  await v.setup("validate");
  await v.validate({ [KEY]: 0.5 });
  assert.equal(v.shouldStop, false);
  const fast = new FakeTrainer([stop], { root: "/nonexistent" });
  fast.fastDevRun = 1;
  await fast.setup();
  await fast.epoch({ val: { [KEY]: 0.5 } });
  assert.equal(fast.shouldStop, false);
  // fast_dev_run skips even the missing-key check.
  const missing = new FakeTrainer([new EarlyStopping({ monitor: "nope" })], { root: "/x" });
  missing.fastDevRun = 1;
  await missing.setup();
  await missing.epoch({ val: { [KEY]: 0.5 } });
  assert.equal(missing.shouldStop, false);
});

Deno.test("EarlyStopping: checks at the epoch end, after each validation when several per epoch", async () => {
  // No validation loop: checks train values at the training epoch end.
  const train = new EarlyStopping({ monitor: "train/loss/epoch", patience: 1 });
  const t = new FakeTrainer([train], { root: "/x", valBatches: 0 });
  await t.setup();
  await t.epoch({ train: { "train/loss/epoch": 1 } });
  await t.epoch({ train: { "train/loss/epoch": 2 } });
  assert.equal(t.shouldStop, true);
  assert.equal(train.stoppedEpoch, 1);
  // With validation at the epoch end, a train epoch value is there when it checks.
  const both = new EarlyStopping({ monitor: "train/loss/epoch" });
  const tb = new FakeTrainer([both], { root: "/x" });
  await tb.setup();
  await tb.epoch({ val: { [KEY]: 1 }, train: { "train/loss/epoch": 0.5 } });
  assert.equal(both.bestScore, 0.5);
  // Validation twice an epoch: two checks per epoch.
  const twice = new EarlyStopping({ monitor: KEY, patience: 2 });
  const tt = new FakeTrainer([twice], { root: "/x", batches: 4 });
  await tt.setup();
  await tt.epoch({ val: { [KEY]: 1 }, valAfter: [1, 3] });
  assert.equal(tt.shouldStop, false);
  assert.equal(twice.waitCount, 1);
  await tt.epoch({ val: { [KEY]: 1 }, valAfter: [1, 3] });
  assert.equal(tt.shouldStop, true);
  assert.equal(twice.stoppedEpoch, 1);
});

Deno.test("EarlyStopping: stateKey and stateDict round trip", async () => {
  const stop = new EarlyStopping({ monitor: KEY, patience: 4 });
  assert.equal(stop.stateKey, "EarlyStopping{'monitor': 'val/loss/epoch', 'mode': 'min'}");
  assert.deepEqual(stop.stateDict(), {
    wait_count: 0,
    stopped_epoch: 0,
    best_score: "Infinity",
    patience: 4,
    stopping_reason: 0,
    stopping_reason_message: null,
  });
  await run(stop, [0.5, 0.75]);
  const state = JSON.parse(JSON.stringify(stop.stateDict()));
  assert.deepEqual(state, {
    wait_count: 1,
    stopped_epoch: 0,
    best_score: 0.5,
    patience: 4,
    stopping_reason: 0,
    stopping_reason_message: null,
  });
  const resumed = new EarlyStopping({ monitor: KEY, patience: 4 });
  resumed.loadStateDict(state);
  assert.equal(resumed.waitCount, 1);
  assert.equal(resumed.bestScore, 0.5);
  const fresh = new EarlyStopping({ monitor: KEY });
  fresh.loadStateDict({ ...state, best_score: "Infinity", patience: 7 });
  assert.equal(fresh.bestScore, Infinity);
  assert.equal(fresh.patience, 7);
});

Deno.test("EarlyStopping: bad options name the class and the option", () => {
  assert.throws(
    () => new EarlyStopping({ monitor: KEY, min_delta: 0.1 } as never),
    /EarlyStopping has no option 'min_delta'. Did you mean 'minDelta'\?/,
  );
  assert.throws(
    () => new EarlyStopping({} as never),
    /EarlyStopping: option 'monitor' is required/,
  );
  assert.throws(
    () => new EarlyStopping({ monitor: KEY, mode: "best" as never }),
    /EarlyStopping: 'mode' can be min, max but got 'best'/,
  );
  assert.throws(
    () => new EarlyStopping({ monitor: KEY, patience: 1.5 }),
    /EarlyStopping: 'patience' must be an integer >= 0, got 1.5/,
  );
});
