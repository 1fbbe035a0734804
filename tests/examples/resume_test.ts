/**
 * examples/workflows: resume from last.ckpt. A 2-epoch fit, then `args::fit::ckpt_path=last`
 * with more epochs continues at epoch 2 in a new version folder, and a path continues from there.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  filesUnder,
  lumen,
  metricsRows,
  readCkpt,
  TINY,
  validatedEpochs,
  workspace,
} from "./_helpers.ts";

const CONFIG = "examples/workflows/base.yaml";

Deno.test("workflow resume: ckpt_path=last and a path continue the epochs and the steps", async () => {
  const { root, data, out } = await workspace("lumen_resume_");
  const base = ["fit", CONFIG, `vars::data=${data}`, `vars::out=${out}`, ...TINY];
  try {
    await lumen([...base, "trainer::max_epochs=2"]);
    await lumen([...base, "trainer::max_epochs=4", "args::fit::ckpt_path=last"]);
    const v1Last = join(out, "base/version_1/checkpoints/last.ckpt");
    await lumen([...base, "trainer::max_epochs=5", `args::fit::ckpt_path=${v1Last}`]);

    const files = await filesUnder(join(out, "base"));
    for (const v of [0, 1, 2]) {
      for (const f of ["checkpoints/last.ckpt", "hparams.yaml", "metrics.csv"]) {
        assert.ok(files.includes(`version_${v}/${f}`), `version_${v}/${f} in ${files}`);
      }
    }
    const runs = await Promise.all(
      [0, 1, 2].map((v) => metricsRows(join(out, `base/version_${v}/metrics.csv`))),
    );
    assert.deepEqual(runs.map(validatedEpochs), [[0, 1], [2, 3], [4]]);
    // Two batches an epoch, logged every step: the global steps carry on across the resumes.
    const steps = runs.map((rows) => rows.filter((r) => "train/loss/step" in r).map((r) => r.step));
    assert.deepEqual(steps, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);

    // last.ckpt is rewritten every epoch (not only when best improves): it holds the last one.
    for (const [v, epoch, step] of [[0, 1, 4], [1, 3, 8], [2, 4, 10]]) {
      const { meta } = await readCkpt(join(out, `base/version_${v}/checkpoints/last.ckpt`));
      assert.equal(meta.epoch, epoch, `version_${v} last.ckpt epoch`);
      assert.equal(meta.global_step, step, `version_${v} last.ckpt global_step`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
