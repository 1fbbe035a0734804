/** `profiler: simple`: Lightning's SimpleProfiler table per stage, written to `{stage}-profiler.txt`. */
import assert from "node:assert/strict";
import { callbacks, deviceInfo, tensor, Trainer } from "../../mod.ts";
import { kernelTimes } from "../../src/ops/kernel_profile.ts";
import { pyG5 } from "../../src/trainer/profiler.ts";
import { quietTrainer, tempDir, throwsWith, tinySystem } from "./_tiny.ts";

/** A callback with two hooks, counted. */
class Probe extends callbacks.Callback {
  batches = 0;
  epochs = 0;
  override onTrainBatchEnd(): void {
    this.batches++;
  }
  override onTrainEpochEnd(): void {
    this.epochs++;
  }
}

interface Row {
  action: string;
  mean: string;
  calls: number;
  total: number;
  percent: string;
}

/** The table's rows (Total included), parsed back from the file. */
function parseTable(text: string): Row[] {
  const rows: Row[] = [];
  // Lightning's table ends where the kernel table begins.
  for (const line of text.split(/\n[A-Z]+ Kernel Report/)[0].split("\n")) {
    if (!line.startsWith("|")) continue;
    const cells = line.split("|").slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 5, `a row of five cells: ${line}`);
    if (cells[0] === "Action") continue;
    rows.push({
      action: cells[0],
      mean: cells[1],
      calls: Number(cells[2]),
      total: Number(cells[3]),
      percent: cells[4],
    });
  }
  return rows;
}

Deno.test("profiler simple: fit-profiler.txt holds Lightning's table with the loop's counts", async () => {
  const dir = tempDir();
  const probe = new Probe();
  const trainer = quietTrainer({
    maxEpochs: 2,
    profiler: "simple",
    defaultRootDir: dir,
    callbacks: [probe],
  });
  // The table also goes to stderr; keep the test output quiet.
  const error = console.error;
  let printed = "";
  console.error = (s: string) => printed += s;
  try {
    await trainer.fit(await tinySystem());
  } finally {
    console.error = error;
  }
  const text = await Deno.readTextFile(`${dir}/fit-profiler.txt`);
  assert.equal(printed, text);
  assert.ok(text.startsWith("FIT Profiler Report\n"));
  const header = text.split("\n").find((l) => l.startsWith("|  Action"))!;
  assert.deepEqual(
    header.split("|").slice(1, -1).map((c) => c.trim()),
    ["Action", "Mean duration (s)", "Num calls", "Total time (s)", "Percentage %"],
  );
  const rows = parseTable(text);
  const byName = new Map(rows.map((r) => [r.action, r]));
  // tinySystem: 5 train batches and 4 val batches per epoch; 2 sanity batches.
  assert.equal(byName.get("run_training_batch")!.calls, 10);
  assert.equal(byName.get("run_training_epoch")!.calls, 2);
  assert.equal(byName.get("[_TrainingEpochLoop].train_dataloader_next")!.calls, 10);
  assert.equal(byName.get("[System]System.training_step")!.calls, 10);
  assert.equal(byName.get("optimizer_step")!.calls, 10);
  assert.equal(byName.get("[Strategy]SingleDeviceStrategy.backward")!.calls, 10);
  assert.equal(byName.get("[System]System.validation_step")!.calls, 2 + 8);
  assert.equal(byName.get("run_val_loop")!.calls, 2);
  assert.equal(byName.get("run_sanity_check")!.calls, 1);
  assert.equal(byName.get("train_epoch_end_readback_wait")!.calls, 2);
  assert.equal(byName.get("val_epoch_end_readback_wait")!.calls, 2);
  assert.equal(byName.get("[Callback]Probe.on_train_batch_end")!.calls, probe.batches);
  assert.equal(probe.batches, 10);
  assert.equal(byName.get("[Callback]Probe.on_train_epoch_end")!.calls, 2);
  assert.equal(byName.get("[Callback]Probe.setup")!.calls, 1);
  assert.equal(byName.get("[Callback]Probe.on_before_backward")!.calls, 10);
  // Lightning's Total row: the calls of every action, the stage's wall time, "100 %".
  const total = rows[0];
  assert.equal(total.action, "Total");
  assert.equal(total.mean, "-");
  assert.equal(total.percent, "100 %");
  assert.equal(total.calls, rows.slice(1).reduce((a, r) => a + r.calls, 0));
  // Percentages are of the wall time (Lightning's SimpleProfiler: time since its start), so
  // nested actions each count in full; sorted from the largest.
  for (const r of rows.slice(1)) {
    assert.ok(Math.abs(Number(r.percent) - 100 * r.total / total.total) < 0.01, r.action);
    assert.ok(Math.abs(Number(r.mean) - r.total / r.calls) <= 1e-4 * r.total / r.calls + 1e-9);
  }
  const percents = rows.slice(1).map((r) => Number(r.percent));
  assert.deepEqual(percents, [...percents].sort((a, b) => b - a));
  const epochs = byName.get("run_training_epoch")!;
  assert.ok(Number(epochs.percent) <= 100);
  assert.ok(epochs.total >= byName.get("run_training_batch")!.total);
});

Deno.test("profiler simple: validate writes validate-profiler.txt in the logger's folder", async () => {
  const dir = tempDir();
  const trainer = new Trainer({
    profiler: "simple",
    defaultRootDir: dir,
    enableProgressBar: false,
    enableCheckpointing: false,
  });
  const error = console.error;
  console.error = () => {};
  try {
    await trainer.validate(await tinySystem());
  } finally {
    console.error = error;
  }
  const rows = parseTable(await Deno.readTextFile(`${trainer.logDir}/validate-profiler.txt`));
  const byName = new Map(rows.map((r) => [r.action, r]));
  assert.equal(byName.get("[System]System.validation_step")!.calls, 4);
  assert.equal(byName.get("[_EvaluationLoop].val_next")!.calls, 4);
  assert.equal(byName.get("run_val_loop")!.calls, 1);
});

Deno.test("profiler: a bad value is an error naming the valid ones; off writes nothing", async () => {
  throwsWith(
    () => new Trainer({ profiler: "advanced" }),
    "Trainer option 'profiler' must be null or 'simple'",
  );
  throwsWith(() => new Trainer({ profiler: 1 as unknown as string }), "'profiler'");
  const dir = tempDir();
  await quietTrainer({ maxEpochs: 1, defaultRootDir: dir }).fit(await tinySystem());
  assert.deepEqual([...Deno.readDirSync(dir)], []);
});

Deno.test("pyG5 formats as Python's f'{x:.5}'", () => {
  // Values printed by Python 3: f"{x:.5}".
  const cases: [number, string][] = [
    [12, "12.0"],
    [0.000123456, "0.00012346"],
    [1.23e-5, "1.23e-05"],
    [123456.7, "1.2346e+05"],
    [3.14159265, "3.1416"],
    [100, "100.0"],
    [0.5, "0.5"],
  ];
  for (const [x, s] of cases) assert.equal(pyG5(x), s);
});

Deno.test("profiler simple: the kernel table counts each kernel's dispatches and its GPU time", async () => {
  const dir = tempDir();
  const trainer = quietTrainer({ maxEpochs: 2, profiler: "simple", defaultRootDir: dir });
  const error = console.error;
  console.error = () => {};
  try {
    await trainer.fit(await tinySystem());
  } finally {
    console.error = error;
  }
  const text = await Deno.readTextFile(`${dir}/fit-profiler.txt`);
  const [, kernelPart] = text.split("FIT Kernel Report");
  assert.ok(kernelPart, "a kernel table follows Lightning's");
  const timed = deviceInfo().timestampQuery;
  assert.ok(kernelPart.startsWith(timed ? " (GPU time from timestamp queries)" : " (this adapter"));
  const rows = new Map<string, string[]>();
  for (const line of kernelPart.split("\n")) {
    if (!line.startsWith("|") || line.startsWith("|  Kernel")) continue;
    const cells = line.split("|").slice(1, -1).map((c) => c.trim());
    rows.set(cells[0], cells.slice(1));
  }
  // SGD with momentum updates weight and bias in one fused dispatch per step: 5 steps x 2 epochs.
  assert.equal(rows.get("optim")?.[0], "10");
  assert.ok(rows.has("matmul"), `the Linear's products: ${[...rows.keys()]}`);
  if (timed) {
    const percents = [...rows.values()].map((r) => Number(r[3]));
    const sum = percents.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 100) < 0.1, `percentages add up to 100, got ${sum}`);
    for (const [name, [calls, seconds, mean]] of rows) {
      assert.ok(Number(seconds) > 0, `${name} took GPU time`);
      const expected = (1000 * Number(seconds)) / Number(calls);
      assert.ok(Math.abs(Number(mean) - expected) <= 1e-3 * expected + 1e-6, `${name} mean`);
    }
  }
  // Profiling ends with the stage: later work is not counted.
  const before = await kernelTimes();
  await tensor([1, 2]).mul(3).data();
  assert.deepEqual(await kernelTimes(), before);
});
