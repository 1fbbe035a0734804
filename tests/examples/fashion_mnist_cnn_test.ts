/**
 * examples/fashion_mnist/cnn.yaml end to end on a few batches (the full run, ~91% in minutes, is
 * measured in examples/fashion_mnist/README.md): fit with its validation split and checkpoints,
 * then `test` from best.ckpt.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  filesUnder,
  lumen,
  metricsRows,
  readCkpt,
  tableValue,
  TINY,
  validatedEpochs,
  workspace,
} from "./_helpers.ts";

const CONFIG = "examples/fashion_mnist/cnn.yaml";

Deno.test("fashion-mnist cnn.yaml: one batch-limited epoch, then test from best.ckpt", async () => {
  const { root, data, out } = await workspace("lumen_fmnist_cnn_");
  const vars = [`vars::root=${data}`, `vars::out=${out}`, ...TINY];
  try {
    await lumen(["fit", CONFIG, ...vars, "vars::epochs=1"]);
    assert.deepEqual(await filesUnder(out), [
      "checkpoints/best.ckpt",
      "checkpoints/last.ckpt",
      "lightning_logs/version_0/hparams.yaml",
      "lightning_logs/version_0/metrics.csv",
    ]);
    const rows = await metricsRows(join(out, "lightning_logs/version_0/metrics.csv"));
    assert.deepEqual(validatedEpochs(rows), [0]);
    // Adam's rate in epoch 0 is vars::lr (the cosine schedule steps at the epoch's end).
    assert.deepEqual(
      rows.filter((r) => "train/optimizer/Adam/lr" in r).map((r) => r["train/optimizer/Adam/lr"]),
      [0.002],
    );
    const best = await readCkpt(join(out, "checkpoints/best.ckpt"));
    assert.equal(best.meta.epoch, 0);
    // The conv and linear layers' shapes as the config gives them (BatchNorm buffers included).
    assert.deepEqual(best.tensors["model.0.weight"].shape, [32, 1, 3, 3]);
    assert.deepEqual(best.tensors["model.5.running_mean"].shape, [32]);
    assert.deepEqual(best.tensors["model.10.weight"].shape, [128, 1568]);
    assert.deepEqual(best.tensors["model.13.weight"].shape, [10, 128]);

    const tested = await lumen(["test", CONFIG, ...vars, "trainer::limit_test_batches=2"]);
    const accuracy = tableValue(tested.stdout, "test/metrics/Accuracy/epoch");
    // 2 batches of 1,000 test images: the accuracy is a whole number of 2,000.
    assert.ok(accuracy >= 0 && accuracy <= 1, `accuracy ${accuracy}`);
    assert.ok(Math.abs(accuracy * 2000 - Math.round(accuracy * 2000)) < 1e-3, `${accuracy}`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
