/**
 * examples/workflows: predictions to CSV with TableWriter. After a fit, `predict` from best.ckpt
 * writes one row `identifier,pred` per test image (the predicted class, from the logging
 * adapter's argmax); `test` from the same checkpoint on the same images reports the accuracy
 * that the CSV's classes give against the true labels.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCsv } from "../../src/deps.ts";
import { fakeLabel, lumen, tableValue, TINY, workspace } from "./_helpers.ts";

const CONFIG = "examples/workflows/base.yaml";

Deno.test("workflow predict to CSV: sorted identifiers, one class per image, test's accuracy", async () => {
  const { root, data, out } = await workspace("lumen_predict_");
  // Two batches of 250 test images for both stages.
  const vars = [
    `vars::data=${data}`,
    `vars::out=${out}`,
    ...TINY,
    "trainer::limit_test_batches=2",
    "trainer::limit_predict_batches=2",
  ];
  try {
    await lumen(["fit", CONFIG, ...vars]);
    const predicted = await lumen(["predict", CONFIG, ...vars]);
    // Lighter's writers clear the kept predictions: the CLI has none left to count.
    assert.equal(predicted.stdout.trim(), "Predicted 0 batches");
    const tested = await lumen(["test", CONFIG, ...vars]);
    const accuracy = tableValue(tested.stdout, "test/metrics/Accuracy/epoch");

    const text = await Deno.readTextFile(join(out, "predictions.csv"));
    const [header, ...rows] = parseCsv(text) as string[][];
    assert.deepEqual(header, ["identifier", "pred"]);
    assert.equal(rows.length, 500);
    assert.deepEqual(rows.map((r) => Number(r[0])), Array.from({ length: 500 }, (_, i) => i));
    const classes = rows.map((r) => Number(r[1]));
    assert.ok(classes.every((c) => Number.isInteger(c) && c >= 0 && c < 10), "classes 0-9");
    const right = classes.filter((c, i) => c === fakeLabel(i)).length;
    assert.ok(
      Math.abs(right / 500 - accuracy) < 1e-6,
      `CSV accuracy ${right / 500} vs test's ${accuracy}`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
