/**
 * examples/workflows: 5-fold cross-validation with the seeds' loop (folds 0-4), the fold set by
 * `system::dataloaders::train::dataset::fold` and each run named by `trainer::logger::name`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  filesUnder,
  hparams,
  lumen,
  metricsRows,
  tableValue,
  TINY,
  TRAIN_COUNT,
  validatedEpochs,
  workspace,
} from "./_helpers.ts";

const CONFIG = "examples/workflows/cv.yaml";

Deno.test("workflow cross-validation: one run per fold, validating on the held-out fold", async () => {
  const { root, data, out } = await workspace("lumen_cv_");
  try {
    for (const fold of [0, 1, 2, 3, 4]) {
      await lumen([
        "fit",
        CONFIG,
        `vars::data=${data}`,
        `vars::out=${out}`,
        ...TINY,
        "trainer::max_epochs=1",
        // Every validation batch: the held-out fold's size shows in the count of val rows.
        "trainer::limit_val_batches=1.0",
        `system::dataloaders::train::dataset::fold=${fold}`,
        `trainer::logger::name="fold_${fold}"`,
      ]);
    }
    const files = await filesUnder(join(out, "cv"));
    assert.deepEqual(
      files.filter((f) => f.endsWith("metrics.csv")),
      [0, 1, 2, 3, 4].map((f) => `fold_${f}/version_0/metrics.csv`),
    );
    for (const fold of [0, 1, 2, 3, 4]) {
      const run = join(out, `cv/fold_${fold}/version_0`);
      const config = await hparams(run) as {
        trainer: { logger: { name: string } };
        system: { dataloaders: { train: { dataset: { fold: number } } } };
      };
      assert.equal(config.trainer.logger.name, `fold_${fold}`);
      assert.equal(config.system.dataloaders.train.dataset.fold, fold);
      const rows = await metricsRows(join(run, "metrics.csv"));
      assert.deepEqual(validatedEpochs(rows), [0]);
      // The held-out fold is a fifth of the 60,000 images: 12,000 in batches of 250.
      const valSteps = rows.filter((r) => "val/loss/step" in r).length;
      assert.equal(valSteps, TRAIN_COUNT / 5 / 250, `fold ${fold} validation batches`);
    }
    // A fold's best checkpoint validated again on its held-out fold (`validate` drops the train
    // loader, so the val loader's fold is set directly) gives its best epoch's accuracy.
    const rows = await metricsRows(join(out, "cv/fold_3/version_0/metrics.csv"));
    const best = Math.max(
      ...rows.filter((r) => "val/metrics/Accuracy/epoch" in r).map((r) =>
        r["val/metrics/Accuracy/epoch"]
      ),
    );
    const validated = await lumen([
      "validate",
      CONFIG,
      `vars::data=${data}`,
      `vars::out=${out}`,
      "trainer::limit_val_batches=1.0",
      "system::dataloaders::val::dataset::fold=3",
      `args::validate::ckpt_path=${join(out, "cv/fold_3/version_0/checkpoints/best.ckpt")}`,
    ]);
    assert.equal(tableValue(validated.stdout, "val/metrics/Accuracy/epoch"), best);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
