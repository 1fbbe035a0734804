/**
 * End to end: each command of the seeds' running-experiments.md (Quick Reference and CLI
 * examples) on a 2-layer MLP over a tiny dataset (tests/runner/fixtures/mlp.yaml), checking the
 * files each run leaves and what it prints.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { parseYaml } from "../../src/deps.ts";
import { cliInProcess as cli, cliProcess, errorLines } from "./helpers.ts";

const CONFIG = "tests/runner/fixtures/mlp.yaml";

/** Every file under `dir`, relative to it, sorted. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

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

/** The value of `metric` (a name or a pattern) in a printed results table (DataLoader 0). */
function tableValue(table: string, metric: string | RegExp): number {
  const name = (l: string): string => l.trim().split(/\s+/)[0];
  const line = table.split("\n").find((l) =>
    typeof metric === "string" ? name(l) === metric : metric.test(name(l))
  );
  assert.ok(line, `no row ${metric} in:\n${table}`);
  return Number(line.trim().split(/\s+/)[1]);
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} != ${expected}`,
  );
}

Deno.test("end to end: fit, resume, validate/test/predict from checkpoints, fast_dev_run, errors", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "lumen_e2e_" });
  const base = [CONFIG, `vars::root=${root}`];
  const ckpt = join(root, "checkpoints");
  try {
    await t.step(
      "lumen fit config.yaml: 2 epochs, checkpoints, metrics.csv, hparams.yaml",
      async () => {
        const r = await cli(["fit", ...base]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await files(root), [
          "checkpoints/best.ckpt",
          "checkpoints/last.ckpt",
          "lightning_logs/version_0/hparams.yaml",
          "lightning_logs/version_0/metrics.csv",
        ]);
        const rows = await metricsCsv(join(root, "lightning_logs/version_0/metrics.csv"));
        const epochRows = rows.filter((r) => "val/loss/epoch" in r);
        assert.deepEqual(epochRows.map((r) => r.epoch), [0, 1]);
        // 16 samples in batches of 4, logged every step: 4 train step rows per epoch.
        assert.equal(rows.filter((r) => "train/loss/step" in r).length, 8);
        const hparams = parseYaml(
          await Deno.readTextFile(join(root, "lightning_logs/version_0/hparams.yaml")),
        );
        assert.equal(hparams.vars.root, root, "the raw config, overrides applied");
        assert.equal(hparams.system.optimizer.lr, "@vars::lr", "references unresolved");
        assert.deepEqual(
          Object.keys(hparams.system.dataloaders),
          ["train", "val"],
          "pruned for fit",
        );
      },
    );

    await t.step(
      'resume: args::fit::ckpt_path="last.ckpt" continues at the next epoch',
      async () => {
        const r = await cli([
          "fit",
          ...base,
          "trainer::max_epochs=3",
          `args::fit::ckpt_path="${join(ckpt, "last.ckpt")}"`,
        ]);
        assert.equal(r.code, 0, r.stderr);
        const rows = await metricsCsv(join(root, "lightning_logs/version_1/metrics.csv"));
        assert.deepEqual(rows.filter((r) => "val/loss/epoch" in r).map((r) => r.epoch), [2]);
      },
    );

    const valLosses = [
      ...await metricsCsv(join(root, "lightning_logs/version_0/metrics.csv")),
      ...await metricsCsv(join(root, "lightning_logs/version_1/metrics.csv")),
    ].filter((r) => "val/loss/epoch" in r).map((r) => r["val/loss/epoch"]);
    let valAccuracy = NaN;

    await t.step("validate with args::validate::ckpt_path=best.ckpt prints the table", async () => {
      const r = await cli(["validate", ...base, `args::validate::ckpt_path=${ckpt}/best.ckpt`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^─+\n\s+Validate metric\s+DataLoader 0\n─+\n/);
      // best.ckpt holds the weights of the epoch with the lowest val loss: validating them again
      // gives that loss.
      close(tableValue(r.stdout, "val/loss/epoch"), Math.min(...valLosses), "best val loss");
      valAccuracy = tableValue(r.stdout, /^val\/metrics\/\w*Accuracy\/epoch$/);
      assert.ok(valAccuracy >= 0 && valAccuracy <= 1);
    });

    await t.step(
      "test with args::test::ckpt_path=best.ckpt: metrics, no loss (no criterion)",
      async () => {
        const r = await cli(["test", ...base, `args::test::ckpt_path=${ckpt}/best.ckpt`]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^─+\n\s+Test metric\s+DataLoader 0\n─+\n/);
        // The test dataloader is a copy of the val one ("%::val"): same accuracy.
        close(
          tableValue(r.stdout, /^test\/metrics\/\w*Accuracy\/epoch$/),
          valAccuracy,
          "test acc",
        );
        assert.doesNotMatch(r.stdout, /test\/loss/);
      },
    );

    await t.step(
      "predict with args::predict::ckpt_path=best.ckpt: 8 samples in 2 batches",
      async () => {
        const r = await cli(["predict", ...base, `args::predict::ckpt_path=${ckpt}/best.ckpt`]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), "Predicted 2 batches");
      },
    );

    await t.step("trainer::fast_dev_run=true: one batch each, no logs, no checkpoint", async () => {
      const dev = await Deno.makeTempDir({ prefix: "lumen_e2e_dev_" });
      try {
        const r = await cli(["fit", CONFIG, `vars::root=${dev}`, "trainer::fast_dev_run=true"]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await files(dev), []);
      } finally {
        await Deno.remove(dev, { recursive: true });
      }
    });

    await t.step(
      "trainer::devices=4 and trainer::precision=bf16-mixed: clear errors, exit 1",
      async () => {
        const devices = await cli(["fit", ...base, "trainer::devices=4"]);
        assert.equal(devices.code, 1);
        assert.match(devices.stderr, /^error: .*devices=4 asks for 4 devices/);
        const precision = await cli(["fit", ...base, 'trainer::precision="bf16-mixed"']);
        assert.equal(precision.code, 1);
        assert.match(precision.stderr, /^error: .*precision "bf16-mixed" needs bfloat16/);
      },
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("end to end: overrides of nested keys and list elements reach the run", async () => {
  const root = await Deno.makeTempDir({ prefix: "lumen_e2e_over_" });
  try {
    const r = await cli([
      "fit",
      CONFIG,
      `vars::root=${root}`,
      "trainer::max_epochs=1",
      "system::optimizer::lr=0.001",
      "trainer::callbacks::0::patience=10",
      "system::dataloaders::train::batch_size=8",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const hparams = parseYaml(
      await Deno.readTextFile(join(root, "lightning_logs/version_0/hparams.yaml")),
    );
    assert.equal(hparams.system.optimizer.lr, 0.001);
    assert.equal(hparams.trainer.callbacks[0].patience, 10);
    assert.equal(hparams.trainer.callbacks[1].filename, "best", "the list stays a list");
    const rows = await metricsCsv(join(root, "lightning_logs/version_0/metrics.csv"));
    assert.deepEqual(rows.filter((r) => "val/loss/epoch" in r).map((r) => r.epoch), [0]);
    // 16 samples in batches of 8: 2 steps.
    assert.equal(rows.filter((r) => "train/loss/step" in r).length, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("end to end: fit under --allow-read --allow-env --allow-write=<run dir> (no -A)", async () => {
  const root = await Deno.makeTempDir({ prefix: "lumen_e2e_perm_" });
  try {
    const r = await cliProcess(["fit", CONFIG, `vars::root=${root}`, "trainer::max_epochs=1"], {
      permissions: ["--allow-read", "--allow-env", `--allow-write=${root}`],
    });
    assert.equal(r.code, 0, errorLines(r.stderr).join("\n"));
    assert.deepEqual(await files(root), [
      "checkpoints/best.ckpt",
      "checkpoints/last.ckpt",
      "lightning_logs/version_0/hparams.yaml",
      "lightning_logs/version_0/metrics.csv",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
