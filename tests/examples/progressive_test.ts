/**
 * examples/workflows: progressive resolution. Three fits at vars::image_size 14, 28 and 56 (a
 * dataset-side Resize), each resuming from the previous run's last.ckpt.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Config, type datasets } from "../../mod.ts";
import {
  hparams,
  lumen,
  metricsRows,
  readCkpt,
  TINY,
  validatedEpochs,
  workspace,
} from "./_helpers.ts";

const CONFIG = "examples/workflows/base.yaml";

Deno.test("workflow progressive resolution: 14, 28, 56 pixels, each run resuming the last", async () => {
  const { root, data, out } = await workspace("lumen_progressive_");
  const base = [
    "fit",
    CONFIG,
    `vars::data=${data}`,
    `vars::out=${out}`,
    ...TINY,
    "trainer::logger::name=progressive",
  ];
  try {
    await lumen([...base, "vars::image_size=14", "trainer::max_epochs=1"]);
    await lumen([
      ...base,
      "vars::image_size=28",
      "trainer::max_epochs=2",
      'args::fit::ckpt_path="last.ckpt"',
    ]);
    await lumen([
      ...base,
      "vars::image_size=56",
      "trainer::max_epochs=3",
      'args::fit::ckpt_path="last.ckpt"',
    ]);
    for (const [v, size] of [[0, 14], [1, 28], [2, 56]]) {
      const run = join(out, `progressive/version_${v}`);
      const config = await hparams(run) as { vars: { image_size: number } };
      assert.equal(config.vars.image_size, size);
      assert.deepEqual(validatedEpochs(await metricsRows(join(run, "metrics.csv"))), [v]);
      const { meta } = await readCkpt(join(run, "checkpoints/last.ckpt"));
      assert.equal(meta.epoch, v);
      assert.equal(meta.global_step, 2 * (v + 1));
    }
    // What the runs trained on: the config's training dataset, resized to vars::image_size.
    for (const size of [14, 56]) {
      const config = await Config.load(CONFIG, [`vars::data=${data}`, `vars::image_size=${size}`]);
      const dataset = config.resolve("vars::fashion_train") as datasets.FashionMNIST;
      await dataset.load();
      const [image] = await dataset.getItem(0) as [{ shape: number[] }, number];
      assert.deepEqual(image.shape, [size, size, 1]);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
