/**
 * The Metric contract: reset, no readback and no graph in update/forward, no leaked device
 * memory, state that outlives `tidy`, and option/shape errors that name what was expected.
 * Values come from tests/metrics/fixtures/torchmetrics.json (torchmetrics 1.9.0).
 */
import assert from "node:assert/strict";
import { deviceStats, flush, memory, metrics, type Tensor, tensor, tidy } from "../../mod.ts";

interface Case {
  name: string;
  batches: { preds: number[]; target: number[] }[];
  step: number[];
  epoch: number;
}

const fixture: { cases: Case[] } = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/torchmetrics.json", import.meta.url)),
);

function fixtureCase(name: string): Case {
  const c = fixture.cases.find((x) => x.name === name);
  if (!c) throw new Error(`no fixture case '${name}'`);
  return c;
}

/** Batch i of a case: float preds (or int32 labels), int32 target. */
function batch(c: Case, i: number, preds: "float32" | "int32" = "float32"): [Tensor, Tensor] {
  const b = c.batches[i];
  return [tensor(b.preds, { dtype: preds }), tensor(b.target, { dtype: "int32" })];
}

function assertRelative(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-6 * Math.abs(expected),
    `${what}: got ${actual}, torchmetrics ${expected}`,
  );
}

Deno.test("reset() zeros the state: compute gives 0, then counts only the batches after it", async () => {
  const c = fixtureCase("binary Accuracy probs");
  const acc = new metrics.Accuracy({ task: "binary" });
  acc.update(...batch(c, 0));
  acc.update(...batch(c, 1));
  assert.ok((await acc.compute().item()) > 0);
  acc.reset();
  assert.equal(await acc.compute().item(), 0);
  acc.update(...batch(c, 2));
  assertRelative(await acc.compute().item(), c.step[2], "after reset");

  const a = fixtureCase("binary AUROC logits");
  const auroc = new metrics.AUROC({ task: "binary" });
  auroc.update(...batch(a, 0));
  auroc.reset();
  auroc.update(...batch(a, 1));
  assertRelative(await auroc.compute().item(), a.step[1], "AUROC after reset");

  const m = fixtureCase("multiclass Precision macro");
  const precision = new metrics.Precision({ task: "multiclass", numClasses: 5, average: "macro" });
  precision.update(...batch(m, 0));
  precision.reset();
  precision.update(...batch(m, 1));
  precision.update(...batch(m, 2));
  const expected = new metrics.Precision({ task: "multiclass", numClasses: 5, average: "macro" });
  expected.forward(...batch(m, 1));
  expected.forward(...batch(m, 2));
  assert.equal(await precision.compute().item(), await expected.compute().item());
});

Deno.test("update() and forward() read nothing back and record no graph", async () => {
  const c = fixtureCase("multiclass Accuracy top_k 2");
  const [logits, target] = batch(c, 0);
  const preds = tensor(c.batches[0].preds, { requiresGrad: true });
  const all = [
    new metrics.Accuracy({ task: "multiclass", numClasses: 5, topK: 2 }),
    new metrics.F1Score({ task: "multiclass", numClasses: 5, average: "macro" }),
    new metrics.AUROC({ task: "multiclass", numClasses: 5 }),
  ];
  flush();
  const before = deviceStats();
  const values: Tensor[] = [];
  for (const m of all) {
    assert.equal(m.update(preds, target), undefined);
    const v = m.forward(preds, target);
    assert.equal(v.requiresGrad, false);
    assert.equal(v.node, null);
    values.push(v);
  }
  const after = deviceStats();
  assert.ok(after.dispatches - before.dispatches < 512, "few enough dispatches not to flush");
  assert.equal(after.submits, before.submits, "a readback would have submitted the queue");
  assert.equal(preds.grad, null);
  assertRelative(await values[0].item(), c.step[0], "top-2 accuracy with requiresGrad preds");
  logits.dispose();
});

Deno.test("forward/update/compute leak no device memory, inside tidy() or not", async () => {
  const c = fixtureCase("multiclass Accuracy macro");
  const [preds, target] = batch(c, 0);
  const all: metrics.Metric[] = [
    new metrics.Accuracy({ task: "multiclass", numClasses: 5, average: "macro", topK: 2 }),
    new metrics.Recall({ task: "binary" }),
    new metrics.MeanSquaredError({ squared: false }),
    new metrics.MeanAbsoluteError(),
  ];
  const regression = [tensor([1, 2, 3]), tensor([1, 0, 3])];
  const step = (m: metrics.Metric, i: number) => {
    const [p, t] = m instanceof metrics.MeanAbsoluteError || m instanceof metrics.MeanSquaredError
      ? regression
      : m instanceof metrics.Recall
      ? [tensor([0.2, 0.9]), tensor([0, 1], { dtype: "int32" })]
      : [preds, target];
    if (i % 2) tidy(() => m.update(p, t));
    else m.forward(p, t).dispose();
    m.compute().dispose();
    if (m instanceof metrics.Recall) [p, t].forEach((x) => x.dispose());
  };
  for (const m of all) step(m, 0);
  const live = memory().liveBytes;
  for (let i = 1; i <= 6; i++) for (const m of all) step(m, i);
  assert.equal(memory().liveBytes, live);
  // The state survived the tidy scopes: 7 batches of the same data.
  const single = new metrics.MeanAbsoluteError();
  single.update(regression[0], regression[1]);
  assert.equal(await all[3].compute().item(), await single.compute().item());
  for (const m of [...all, single]) m.dispose();
  assert.ok(memory().liveBytes < live);
});

Deno.test("unknown options throw, naming the closest valid one", () => {
  assert.throws(
    () => new metrics.Accuracy({ task: "multiclass", numClass: 3 } as never),
    /Accuracy has no option 'numClass'\. Did you mean 'numClasses'\?/,
  );
  assert.throws(
    () => new metrics.F1Score({ task: "binary", treshold: 0.3 } as never),
    /F1Score has no option 'treshold'\. Did you mean 'threshold'\?/,
  );
  assert.throws(
    () => new metrics.MeanSquaredError({ squard: false } as never),
    /MeanSquaredError has no option 'squard'\. Did you mean 'squared'\?/,
  );
  assert.throws(
    () => new metrics.AUROC({ task: "binary", averag: "macro" } as never),
    /AUROC has no option 'averag'\. Did you mean 'average'\?/,
  );
  assert.throws(
    () => new metrics.Accuracy({ task: "binary", zeroDivision: 1 } as never),
    /Accuracy has no option 'zeroDivision'/,
  );
});

Deno.test("bad option values throw, naming the class, the option and what was expected", () => {
  assert.throws(
    () => new metrics.Accuracy({ task: "multiclass" }),
    /Accuracy with task "multiclass" needs the option 'numClasses'/,
  );
  assert.throws(
    () => new metrics.AUROC({ task: "multiclass" }),
    /AUROC with task "multiclass" needs the option 'numClasses'/,
  );
  assert.throws(
    () => new metrics.Recall({ task: "multilabel" } as never),
    /Recall option 'task' must be one of "binary", "multiclass", got "multilabel"/,
  );
  assert.throws(
    () => new metrics.Accuracy(undefined as never),
    /Accuracy needs an options object with 'task'/,
  );
  assert.throws(
    () => new metrics.Accuracy({ task: "multiclass", numClasses: 3, topK: 4 }),
    /Accuracy option 'topK' \(4\) must not exceed 'numClasses' \(3\)/,
  );
  assert.throws(
    () => new metrics.Accuracy({ task: "multiclass", numClasses: 1 }),
    /Accuracy option 'numClasses' must be an integer of at least 2, got 1/,
  );
  assert.throws(
    () => new metrics.Precision({ task: "multiclass", numClasses: 3, average: "samples" as never }),
    /Precision option 'average' must be one of "micro", "macro", "weighted", "none", got "samples"/,
  );
  assert.throws(
    () => new metrics.Accuracy({ task: "binary", threshold: 1.5 }),
    /Accuracy option 'threshold' must be a number in \[0, 1\], got 1.5/,
  );
  assert.throws(
    () => new metrics.F1Score({ task: "binary", zeroDivision: 2 as never }),
    /F1Score option 'zeroDivision' must be 0 or 1, got 2/,
  );
  assert.throws(
    () => new metrics.AUROC({ task: "multiclass", numClasses: 3, average: "micro" as never }),
    /AUROC option 'average' must be one of "macro", "weighted", "none", got "micro"/,
  );
});

Deno.test("bad inputs throw, naming the shapes or dtypes expected", async () => {
  const labels = tensor([0, 1, 1], { dtype: "int32" });
  const binary = new metrics.Accuracy({ task: "binary" });
  assert.throws(
    () => binary.update(tensor([0.1, 0.9]), labels),
    /Accuracy needs preds and target of the same shape, got \[2\] and \[3\]/,
  );
  assert.throws(
    () => binary.update(tensor([0.1, 0.9, 0.5]), tensor([0, 1, 1])),
    /Accuracy needs target as int32 class labels, got float32/,
  );
  const multi = new metrics.Recall({ task: "multiclass", numClasses: 4 });
  assert.throws(
    () => multi.forward(tensor([[0.1, 0.9, 0], [0, 1, 0], [1, 0, 0]]), labels),
    /Recall needs preds \[N, 4, \.\.\.\] of scores or \[N, \.\.\.\] of labels with target \[N, \.\.\.\], got preds \[3, 3\] and target \[3\]/,
  );
  const top2 = new metrics.Accuracy({ task: "multiclass", numClasses: 4, topK: 2 });
  assert.throws(
    () => top2.update(tensor([0, 1, 2], { dtype: "int32" }), labels),
    /Accuracy with topK 2 needs preds of scores \[N, 4, \.\.\.\], got labels \[3\]/,
  );
  assert.throws(
    () => new metrics.AUROC({ task: "binary" }).update(labels, labels),
    /AUROC needs preds as float32 scores, got int32/,
  );
  assert.throws(
    () => new metrics.MeanAbsoluteError().update(tensor([1, 2]), tensor([[1, 2]])),
    /MeanAbsoluteError needs preds and target of the same shape, got \[2\] and \[1, 2\]/,
  );
  // A failed update leaves the state as it was.
  assert.equal(await binary.compute().item(), 0);
});

Deno.test("name is the class name, for log keys", () => {
  assert.equal(new metrics.Accuracy({ task: "binary" }).name, "Accuracy");
  assert.equal(new metrics.F1Score({ task: "binary" }).name, "F1Score");
  assert.equal(new metrics.AUROC({ task: "binary" }).name, "AUROC");
  assert.equal(new metrics.MeanSquaredError().name, "MeanSquaredError");
});
