/**
 * examples/workflows: a learning-rate sweep (one run per rate, named `lr_$lr`) compared by
 * `lumen report`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hparams, lumen, metricsRows, TINY, validatedEpochs, workspace } from "./_helpers.ts";

const CONFIG = "examples/workflows/base.yaml";
const RATES = ["0.001", "0.01", "0.1"];

Deno.test("workflow lr sweep: each run trains at its rate; the report compares the three", async () => {
  const { root, data, out } = await workspace("lumen_sweep_");
  try {
    for (const lr of RATES) {
      await lumen([
        "fit",
        CONFIG,
        `vars::data=${data}`,
        `vars::out=${out}`,
        ...TINY,
        `system::optimizer::lr=${lr}`,
        `trainer::logger::name="lr_${lr}"`,
      ]);
    }
    for (const lr of RATES) {
      const run = join(out, `lr_${lr}/version_0`);
      const config = await hparams(run) as { system: { optimizer: { lr: number } } };
      assert.equal(config.system.optimizer.lr, Number(lr));
      const rows = await metricsRows(join(run, "metrics.csv"));
      assert.deepEqual(validatedEpochs(rows), [0, 1]);
      // The System logs the optimizer's rate each epoch: the override's value.
      const logged = rows.filter((r) => "train/optimizer/Adam/lr" in r);
      assert.deepEqual(logged.map((r) => r["train/optimizer/Adam/lr"]), [Number(lr), Number(lr)]);
    }

    const html = join(out, "lr_sweep.html");
    const report = await lumen(["report", ...RATES.map((lr) => join(out, `lr_${lr}`)), "-o", html]);
    assert.equal(report.stdout.trim(), `Wrote ${html} (3 runs)`);
    const page = await Deno.readTextFile(html);
    // One hyperparameter table per run, in the order given, each with its own rate.
    const tables = [
      ...page.matchAll(
        /<h3>([^<]*)<\/h3>[\s\S]*?system::optimizer::lr<\/td><td class="value">([^<]*)</g,
      ),
    ]
      .map((m) => [m[1].replace(/^.*\/(lr_[^/]+)\/version_0$/, "$1"), m[2]]);
    assert.deepEqual(tables, RATES.map((lr) => [`lr_${lr}`, lr]));
    assert.match(page, /val\/metrics\/Accuracy\/epoch/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
