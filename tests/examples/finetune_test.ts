/**
 * examples/workflows: fine-tuning by composing configs. base.yaml pretrains; `fit
 * base.yaml,finetune.yaml` builds a backbone whose weights come from base's best.ckpt through
 * adjustPrefixAndLoadStateDict (checkpoint `model.0.*` -> backbone `*`), a new 3-class head, and
 * a Freezer that keeps the backbone fixed in epoch 0.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  hparams,
  lumen,
  metricsRows,
  readCkpt,
  TINY,
  validatedEpochs,
  workspace,
} from "./_helpers.ts";

const BASE = "examples/workflows/base.yaml";
const FINETUNE = "examples/workflows/finetune.yaml";

Deno.test("workflow fine-tune: base.yaml,finetune.yaml loads the pretrained backbone by prefix", async () => {
  const { root, data, out } = await workspace("lumen_finetune_");
  const vars = [`vars::data=${data}`, `vars::out=${out}`];
  try {
    await lumen(["fit", BASE, ...vars, ...TINY]);
    // One epoch: the Freezer (until_epoch 1) keeps every backbone parameter frozen throughout.
    await lumen(["fit", `${BASE},${FINETUNE}`, ...vars, ...TINY, "trainer::max_epochs=1"]);

    const run = join(out, "finetune/version_0");
    assert.deepEqual(validatedEpochs(await metricsRows(join(run, "metrics.csv"))), [0]);
    const config = await hparams(run) as {
      trainer: { logger: { name: string }; callbacks: { _target_: string }[] };
      system: { model: { layers: Record<string, unknown>[] } };
    };
    assert.equal(config.trainer.logger.name, "finetune");
    assert.deepEqual(config.trainer.callbacks.map((c) => c._target_), [
      "lumen.callbacks.ModelCheckpoint",
      "lumen.callbacks.ModelCheckpoint",
      "lumen.callbacks.TableWriter",
      "lumen.callbacks.Freezer",
    ]);
    assert.equal(config.system.model.layers[0]._target_, "lumen.adjustPrefixAndLoadStateDict");

    const pretrained = await readCkpt(join(out, "base/version_0/checkpoints/best.ckpt"));
    const tuned = await readCkpt(join(run, "checkpoints/last.ckpt"));
    // Conv and BatchNorm parameters: loaded from the checkpoint and frozen, so unchanged. (The
    // BatchNorm running statistics are buffers; they still move in training mode.)
    const frozen = [
      "0.weight",
      "0.bias",
      "1.weight",
      "1.bias",
      "4.weight",
      "4.bias",
      "5.weight",
      "5.bias",
    ];
    for (const key of frozen) {
      const before = pretrained.tensors[`model.0.${key}`], after = tuned.tensors[`model.0.${key}`];
      assert.ok(before && after, `model.0.${key} in both checkpoints`);
      assert.deepEqual(Array.from(after.data), Array.from(before.data), `model.0.${key}`);
    }
    // The heads: 10 classes before, a new one of 3 classes after.
    assert.deepEqual(pretrained.tensors["model.1.weight"].shape, [10, 256]);
    assert.deepEqual(tuned.tensors["model.1.weight"].shape, [3, 256]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
