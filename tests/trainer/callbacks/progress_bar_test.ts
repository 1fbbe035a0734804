import assert from "node:assert/strict";
import { formatInterval, formatNum, ProgressBar } from "../../../src/trainer/progress_bar.ts";
import { FakeTrainer, OUTPUTS, SYSTEM } from "./_fake_trainer.ts";

const CLEAR = "\r\x1b[2K";

/** Collects what the bar writes; `screen()` replays it like a terminal would show it. */
class FakeWriter {
  text = "";
  constructor(readonly isTerminal: boolean, readonly columns?: number) {}
  write(t: string): void {
    this.text += t;
  }
  /** Lines as a terminal leaves them: `\r\x1b[2K` clears the current line. */
  screen(): string[] {
    const lines = [""];
    for (const part of this.text.split(new RegExp(`(${CLEAR.replace("[", "\\[")}|\n)`))) {
      if (part === "\n") lines.push("");
      else if (part === CLEAR) lines[lines.length - 1] = "";
      else lines[lines.length - 1] += part;
    }
    return lines;
  }
}

// Python: tqdm.format_num / format_interval on the same numbers.
Deno.test("tqdm's number and time formats", () => {
  assert.equal(formatNum(1.4634126424789429), "1.46");
  assert.equal(formatNum(0.5), "0.5");
  assert.equal(formatNum(-0.5), "-.5");
  assert.equal(formatNum(1e-5), "1e-5");
  assert.equal(formatNum(123456.0), "1.23e+5");
  assert.equal(formatInterval(5), "00:05");
  assert.equal(formatInterval(125.9), "02:05");
  assert.equal(formatInterval(3725), "1:02:05");
});

const LOSS = [1.4634126424789429, 1.0243494510650635];

/** One epoch of 20 batches, 250 ms each, then validation; returns the writer. */
async function epoch(writer: FakeWriter): Promise<void> {
  let now = 0;
  const bar = new ProgressBar({ writer, clock: () => now });
  const trainer = new FakeTrainer([bar], { root: "/x", batches: 20, valBatches: 4 });
  await trainer.setup();
  await trainer.epoch({
    trainStep: (step) => {
      now += 250;
      return { "train/loss/step": LOSS[step % 2] };
    },
    val: { "val/loss/epoch": 1.1188499927520752, "val/metrics/Accuracy/epoch": 0.625 },
    train: { "train/loss/epoch": 1.1679319143295288 },
  });
  await trainer.call((cb) => cb.onTrainEnd(trainer, SYSTEM));
}

Deno.test("ProgressBar off a terminal: a line every tenth of the epoch and one at its end", async () => {
  const writer = new FakeWriter(false);
  await epoch(writer);
  const lines = writer.text.trimEnd().split("\n");
  assert.equal(lines.length, 10);
  assert.equal(lines[0], "Epoch 0:  10% 2/20 [00:00<00:04,  4.00it/s, train/loss/step=1.46]");
  assert.equal(lines[8], "Epoch 0:  90% 18/20 [00:04<00:00,  4.00it/s, train/loss/step=1.46]");
  assert.equal(
    lines[9],
    "Epoch 0: 100% 20/20 [00:05<00:00,  4.00it/s, train/loss/step=1.46, " +
      "train/loss/epoch=1.17, val/loss/epoch=1.12, val/metrics/Accuracy/epoch=0.625]",
  );
  assert.ok(!writer.text.includes("\r"));
});

Deno.test("ProgressBar on a terminal: one line redrawn in place, kept at the epoch end", async () => {
  const writer = new FakeWriter(true, 200);
  await epoch(writer);
  assert.ok(writer.text.includes("Validation:  25%|█████               | 1/4"));
  assert.deepEqual(writer.screen(), [
    "Epoch 0: 100%|████████████████████| 20/20 [00:05<00:00,  4.00it/s, train/loss/step=1.46, " +
    "train/loss/epoch=1.17, val/loss/epoch=1.12, val/metrics/Accuracy/epoch=0.625]",
    "",
  ]);
  // Cut to the terminal's width.
  const narrow = new FakeWriter(true, 30);
  await epoch(narrow);
  assert.ok(narrow.screen().every((l) => l.length <= 29));
});

Deno.test("ProgressBar on a terminal redraws at most every 100 ms and every refreshRate batches", async () => {
  let now = 0;
  const writer = new FakeWriter(true);
  const bar = new ProgressBar({ writer, clock: () => now, refreshRate: 2 });
  const trainer = new FakeTrainer([bar], { root: "/x", batches: 100, valBatches: 0 });
  await trainer.setup();
  await trainer.epoch({ trainStep: () => (now += 10, {}) });
  const draws = writer.text.split(CLEAR).length - 1;
  // 1 s of batches: ~10 throttled redraws, plus the final one.
  assert.ok(draws >= 9 && draws <= 12, `${draws} redraws`);
  assert.ok(writer.screen()[0].startsWith("Epoch 0: 100%|"));
});

Deno.test("ProgressBar: test and predict lines, and the partial first epoch of a resume", async () => {
  let now = 0;
  const writer = new FakeWriter(false);
  const bar = new ProgressBar({ writer, clock: () => now });
  const trainer = new FakeTrainer([bar], { root: "/x" });
  await trainer.setup("test");
  await bar.onTestStart(trainer, SYSTEM);
  for (let i = 0; i < 3; i++) {
    now += 500;
    await bar.onTestBatchEnd(trainer, SYSTEM, OUTPUTS, undefined, i);
  }
  trainer.callbackMetrics = { "test/loss/epoch": 0.25, "train/loss/step": 3 };
  await bar.onTestEnd(trainer, SYSTEM);
  assert.equal(writer.text, "Testing: 3 [00:01,  2.00it/s, test/loss/epoch=0.25]\n");

  // A resumed epoch starting at batch 15 of 20: the rate counts the batches run here.
  const w2 = new FakeWriter(false);
  let t = 0;
  const b2 = new ProgressBar({ writer: w2, clock: () => t });
  const tr = new FakeTrainer([b2], { root: "/x", batches: 20, valBatches: 0 });
  await b2.onTrainEpochStart(tr, SYSTEM);
  for (let i = 15; i < 20; i++) {
    t += 1000;
    await b2.onTrainBatchEnd(tr, SYSTEM, OUTPUTS, undefined, i);
  }
  await b2.onTrainEpochEnd(tr, SYSTEM);
  assert.equal(
    w2.text.trimEnd().split("\n").at(-1),
    "Epoch 0: 100% 20/20 [00:05<00:00,  1.00it/s]",
  );
});

Deno.test("ProgressBar: unknown options are rejected", () => {
  assert.throws(
    () => new ProgressBar({ refresh_rate: 2 } as never),
    /ProgressBar has no option 'refresh_rate'. Did you mean 'refreshRate'\?/,
  );
});
