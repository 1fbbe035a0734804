import assert from "node:assert/strict";
import { CSVLogger } from "../../../src/trainer/loggers/mod.ts";

/** A whole Lightning 2.6.6 fit's files (/work/shared/fixtures/lightning_layout.json, copied). */
interface LightningLayout {
  metrics_csv: string;
  hparams_yaml: string;
}
const layout: LightningLayout = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/lightning_layout.json", import.meta.url)),
);

/** PyYAML's yaml.dump of Runner-like configs (gen_hparams_yaml.py). */
const pyyaml: Record<string, { params: Record<string, unknown>; yaml: string }> = JSON.parse(
  await Deno.readTextFile(new URL("./hparams_yaml.json", import.meta.url)),
);

/**
 * The trainer's logMetrics calls that made the fixture's rows, in Lightning's order: a train
 * step row is `{train/loss/step, epoch}` at the global step, a validation step row is
 * `{val/loss/step}` at the validation batch counter, epoch rows carry `epoch` too.
 */
function fixtureCalls(csv: string): [Record<string, number>, number][] {
  const [header, ...lines] = csv.trimEnd().split("\n");
  const keys = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    const metrics: Record<string, number> = {};
    // Insert the metric first and `epoch` last, as the trainer's dicts are built, so that the
    // header order must come from sorting.
    for (let i = keys.length - 1; i >= 0; i--) {
      if (keys[i] !== "step" && cells[i] !== "") metrics[keys[i]] = Number(cells[i]);
    }
    return [metrics, Number(cells[keys.indexOf("step")])];
  });
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "lumen_csv_" });
}

Deno.test("CSVLogger reproduces Lightning's metrics.csv byte for byte", async () => {
  const calls = fixtureCalls(layout.metrics_csv);
  assert.equal(calls.length, 25);
  assert.deepEqual(calls[0], [{ "train/loss/step": 1.4634126424789429, epoch: 0 }, 1]);
  assert.deepEqual(calls[2], [{ "val/loss/step": 1.0641911029815674 }, 0]);
  // Every logged value is a float32 value (read back from the device), as Lightning's are.
  for (const [m] of calls) {
    for (const v of Object.values(m)) assert.equal(Math.fround(v), v);
  }
  for (const flush of [100, 2, 1]) {
    const saveDir = await tempDir();
    const logger = new CSVLogger({ saveDir, flushLogsEveryNSteps: flush });
    for (const [metrics, step] of calls) await logger.logMetrics(metrics, step);
    await logger.save();
    await logger.finalize("success");
    assert.equal(logger.logDir, `${saveDir}/lightning_logs/version_0`);
    const bytes = await Deno.readFile(`${logger.logDir}/metrics.csv`);
    assert.equal(new TextDecoder().decode(bytes), layout.metrics_csv, `flush every ${flush}`);
  }
});

Deno.test("CSVLogger: header grows and is rewritten when new keys appear; empty cells", async () => {
  const saveDir = await tempDir();
  const logger = new CSVLogger({ saveDir, name: "exp", flushLogsEveryNSteps: 1 });
  await logger.logMetrics({ "train/loss/step": 0.5, epoch: 0 }, 0);
  const file = `${saveDir}/exp/version_0/metrics.csv`;
  assert.equal(await Deno.readTextFile(file), "epoch,step,train/loss/step\n0,0,0.5\n");
  await logger.logMetrics({ "val/acc": 1, "a,b": 0.25 }, 1);
  // Python: csv quotes a cell with a comma; float 1.0 prints as "1.0".
  assert.equal(
    await Deno.readTextFile(file),
    '"a,b",epoch,step,train/loss/step,val/acc\n,0,0,0.5,\n0.25,,1,,1.0\n',
  );
  // Python's repr of small and large floats, nan and inf.
  await logger.logMetrics({ x: 1e-5, y: 1e16, z: NaN, w: -Infinity }, 2);
  const last = (await Deno.readTextFile(file)).trimEnd().split("\n").at(-1);
  assert.equal(last, ",,2,,,-inf,1e-05,1e+16,nan");
});

Deno.test("CSVLogger: rows wait for the flush step, save() or finalize()", async () => {
  const saveDir = await tempDir();
  const logger = new CSVLogger({ saveDir, flushLogsEveryNSteps: 3 });
  const file = `${saveDir}/lightning_logs/version_0/metrics.csv`;
  await logger.logMetrics({ a: 0.5 }, 0);
  await logger.logMetrics({ a: 0.25 }, 1);
  await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
  await logger.logMetrics({ a: 0.125 }, 2); // (2 + 1) % 3 == 0
  assert.equal(await Deno.readTextFile(file), "a,step\n0.5,0\n0.25,1\n0.125,2\n");
  await logger.logMetrics({ a: 2 }, 3);
  await logger.finalize("success");
  assert.equal(await Deno.readTextFile(file), "a,step\n0.5,0\n0.25,1\n0.125,2\n2.0,3\n");
  // No temporary files are left beside it.
  const names = [...Deno.readDirSync(`${saveDir}/lightning_logs/version_0`)].map((e) => e.name);
  assert.deepEqual(names, ["metrics.csv"]);
});

Deno.test("CSVLogger: prefix joins with '-', epoch stays an int", async () => {
  const saveDir = await tempDir();
  const logger = new CSVLogger({ saveDir, prefix: "run" });
  await logger.logMetrics({ "train/loss/step": 0.75, epoch: 3 }, 9);
  await logger.save();
  assert.equal(
    await Deno.readTextFile(`${logger.logDir}/metrics.csv`),
    "run-epoch,run-train/loss/step,step\n3,0.75,9\n",
  );
});

Deno.test("CSVLogger: version_N is one more than the highest version_N folder", async () => {
  const saveDir = await tempDir();
  assert.equal(new CSVLogger({ saveDir }).version, 0);
  for (const d of ["version_0", "version_2", "version_x", "other"]) {
    await Deno.mkdir(`${saveDir}/lightning_logs/${d}`, { recursive: true });
  }
  await Deno.writeTextFile(`${saveDir}/lightning_logs/version_9`, "a file, not a folder");
  const logger = new CSVLogger({ saveDir });
  assert.equal(logger.version, 3);
  assert.equal(logger.logDir, `${saveDir}/lightning_logs/version_3`);
  // Decided at first use and kept: a folder made later does not move it.
  await Deno.mkdir(`${saveDir}/lightning_logs/version_5`);
  assert.equal(logger.version, 3);
  await logger.logMetrics({ a: 0.5 }, 0);
  await logger.finalize("success");
  assert.ok((await Deno.stat(`${saveDir}/lightning_logs/version_3/metrics.csv`)).isFile);
  // The next logger continues after version_5.
  assert.equal(new CSVLogger({ saveDir }).version, 6);
});

Deno.test("CSVLogger: a given version (number or folder name) and an empty name", async () => {
  const saveDir = await tempDir();
  assert.equal(
    new CSVLogger({ saveDir, version: 4 }).logDir,
    `${saveDir}/lightning_logs/version_4`,
  );
  assert.equal(new CSVLogger({ saveDir, version: "v1" }).logDir, `${saveDir}/lightning_logs/v1`);
  assert.equal(new CSVLogger({ saveDir, name: "" }).logDir, `${saveDir}/version_0`);
  assert.equal(new CSVLogger({ saveDir, name: null, version: 2 }).logDir, `${saveDir}/version_2`);
  assert.equal(
    new CSVLogger({ saveDir: `${saveDir}/`, version: 1 }).rootDir,
    `${saveDir}/lightning_logs`,
  );
});

Deno.test("CSVLogger: reusing a version folder deletes its old metrics.csv", async () => {
  const saveDir = await tempDir();
  const dir = `${saveDir}/lightning_logs/version_0`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/metrics.csv`, "old,step\n1,1\n");
  const logger = new CSVLogger({ saveDir, version: 0 });
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (m: string) => warnings.push(m);
  try {
    await logger.logMetrics({ a: 0.5 }, 0);
  } finally {
    console.warn = warn;
  }
  assert.match(warnings[0], /Experiment logs directory .*version_0 exists and is not empty/);
  await assert.rejects(Deno.stat(`${dir}/metrics.csv`), Deno.errors.NotFound);
  await logger.finalize("success");
  assert.equal(await Deno.readTextFile(`${dir}/metrics.csv`), "a,step\n0.5,0\n");
});

Deno.test("CSVLogger: hparams.yaml as Lightning writes it (PyYAML's yaml.dump)", async () => {
  const saveDir = await tempDir();
  const logger = new CSVLogger({ saveDir });
  await logger.logHyperparams({ lr: 0.1, batch_size: 8 });
  assert.equal(await Deno.readTextFile(`${logger.logDir}/hparams.yaml`), layout.hparams_yaml);
  // Later calls merge into the recorded params.
  await logger.logHyperparams({ seed: 7 });
  assert.equal(
    await Deno.readTextFile(`${logger.logDir}/hparams.yaml`),
    "batch_size: 8\nlr: 0.1\nseed: 7\n",
  );
  for (const [name, c] of Object.entries(pyyaml)) {
    const other = new CSVLogger({ saveDir, name });
    await other.logHyperparams(c.params);
    assert.equal(await Deno.readTextFile(`${other.logDir}/hparams.yaml`), c.yaml, name);
  }
});

Deno.test("CSVLogger: hparams that are not plain data are skipped with Lightning's warning", async () => {
  const saveDir = await tempDir();
  const logger = new CSVLogger({ saveDir });
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (m: string) => warnings.push(m);
  try {
    await logger.logHyperparams({ model: new Map([["a", 1]]), lr: 0.5 });
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, [
    "Skipping 'model' parameter because it is not possible to safely dump to YAML.",
  ]);
  assert.equal(await Deno.readTextFile(`${logger.logDir}/hparams.yaml`), "lr: 0.5\n");
});

Deno.test("CSVLogger: bad options name the class and the option", () => {
  assert.throws(
    () => new CSVLogger({ saveDir: "x", flush_logs_every_n_steps: 5 } as never),
    /CSVLogger has no option 'flush_logs_every_n_steps'. Did you mean 'flushLogsEveryNSteps'\?/,
  );
  assert.throws(() => new CSVLogger({} as never), /CSVLogger: option 'saveDir' is required/);
  assert.throws(
    () => new CSVLogger({ saveDir: "x", version: -1 }),
    /CSVLogger: 'version' must be an integer >= 0, got -1/,
  );
  assert.throws(
    () => new CSVLogger({ saveDir: "x", flushLogsEveryNSteps: 0 }),
    /CSVLogger: 'flushLogsEveryNSteps' must be an integer >= 1, got 0/,
  );
});

Deno.test("CSVLogger: finalize without any logging writes nothing", async () => {
  const saveDir = await tempDir();
  const logger = new CSVLogger({ saveDir });
  await logger.finalize("success");
  await assert.rejects(Deno.stat(`${saveDir}/lightning_logs`), Deno.errors.NotFound);
});
