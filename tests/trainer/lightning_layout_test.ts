/**
 * A 3-epoch fit laid out as Lightning 2.6.6 lays out the same run
 * (/work/shared/fixtures/lightning_layout.json, copied to tests/trainer/fixtures/): the files, the
 * metrics.csv header and which cells each row fills, and the checkpoint names.
 */
import assert from "node:assert/strict";
import { callbacks, loggers, Trainer } from "../../mod.ts";
import { tinySystem } from "./_tiny.ts";

interface Layout {
  files: string[];
  metrics_csv: string;
  hparams_yaml: string;
}

const layout: Layout = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/lightning_layout.json", import.meta.url)),
);

function list(root: string, dir = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${root}/${dir}`)) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...list(root, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Lighter's System also logs the optimizer's lr and momentum; the Lightning run did not. */
const lighterOnly = (c: string) => c.startsWith("train/optimizer/");

/** Each row as "epoch,step|filled columns". */
function shape(csv: string): string[] {
  const [header, ...rows] = csv.trim().split("\n");
  const cols = header.split(",");
  return rows.map((r) => {
    const cells = r.split(",");
    const filled = cols.filter((c, i) => i > 1 && cells[i] !== "" && !lighterOnly(c));
    return `${cells[0]},${cells[1]}|${filled.join(" ")}`;
  });
}

Deno.test("a fit writes Lightning's files, metrics.csv rows and checkpoint names", async () => {
  const root = Deno.makeTempDirSync({ prefix: "lumen-layout-" });
  const trainer = new Trainer({
    maxEpochs: 3,
    logEveryNSteps: 2,
    defaultRootDir: root,
    enableProgressBar: false,
    logger: new loggers.CSVLogger({ saveDir: root }),
    callbacks: [
      new callbacks.ModelCheckpoint({ monitor: "val/loss/epoch", saveTopK: 2, saveLast: true }),
      new callbacks.ModelCheckpoint({
        dirpath: `${root}/named`,
        filename: "best-{epoch:02d}-{train/loss/epoch:.4f}",
        monitor: "train/loss/epoch",
        autoInsertMetricName: false,
      }),
    ],
  });
  const system = await tinySystem({ lr: 0.1, momentum: 0 });
  await trainer.loggers[0].logHyperparams({ batch_size: 8, lr: 0.1 });
  await trainer.fit(system);

  const csv = Deno.readTextFileSync(`${root}/lightning_logs/version_0/metrics.csv`);
  const header = csv.split("\n")[0].split(",");
  assert.deepEqual(header.filter((c) => lighterOnly(c)), [
    "train/optimizer/SGD/lr",
    "train/optimizer/SGD/momentum",
  ]);
  assert.equal(
    header.filter((c) => !lighterOnly(c)).join(","),
    layout.metrics_csv.split("\n")[0],
  );
  assert.deepEqual(shape(csv), shape(layout.metrics_csv));
  assert.equal(
    Deno.readTextFileSync(`${root}/lightning_logs/version_0/hparams.yaml`),
    layout.hparams_yaml,
  );

  // The two lowest val/loss/epoch rows name the kept checkpoints (Lightning's top-k rule).
  const col = (name: string) => header.indexOf(name);
  const rows = csv.trim().split("\n").slice(1).map((r) => r.split(","));
  const vl = col("val/loss/epoch");
  const val = rows.filter((r) => r[vl] !== "").map((r) => ({
    epoch: Number(r[0]),
    step: Number(r[1]) + 1,
    loss: Number(r[vl]),
  }));
  assert.equal(val.length, 3);
  const kept = [...val].sort((a, b) => a.loss - b.loss).slice(0, 2)
    .map((v) => `lightning_logs/version_0/checkpoints/epoch=${v.epoch}-step=${v.step}.ckpt`);
  const tl = col("train/loss/epoch");
  const trainEpoch = rows.filter((r) => r[tl] !== "").map((r) => Number(r[tl]));
  const bestTrain = trainEpoch.indexOf(Math.min(...trainEpoch));
  const named = `named/best-${String(bestTrain).padStart(2, "0")}-${
    trainEpoch[bestTrain].toFixed(4)
  }.ckpt`;
  const expected = [
    ...kept,
    "lightning_logs/version_0/checkpoints/last.ckpt",
    "lightning_logs/version_0/hparams.yaml",
    "lightning_logs/version_0/metrics.csv",
    named,
  ].sort();
  assert.deepEqual(list(root), expected);
  assert.equal(layout.files.length, expected.length);
});
