/**
 * Every case of tests/metrics/fixtures/torchmetrics.json (written by torchmetrics 1.9.0 itself)
 * and of torchmetrics_extra.json (gen_torchmetrics.py, torchmetrics 1.9.0 too): `forward` on
 * each batch gives torchmetrics' step values and `compute()` its epoch value, within 1e-6.
 */
import assert from "node:assert/strict";
import { metrics, type Tensor, tensor } from "../../mod.ts";

/** A fixture value: JSON as stored, or a Python literal string as torchmetrics' script wrote it. */
type Literal = string | Record<string, unknown> | unknown[];

/** A value: one number, or one per class (average "none"). */
type Value = number | number[];

interface Case {
  name: string;
  metric: string;
  options: Literal;
  batches: Literal;
  /** "int32" where preds were labels (only in torchmetrics_extra.json). */
  preds_dtype?: "float32" | "int32";
  step: Value[];
  epoch: Value;
}

interface Batch {
  preds: unknown[];
  target: unknown[];
}

interface Fixture {
  torchmetrics: string;
  cases: Case[];
}

async function load(name: string): Promise<Fixture> {
  return JSON.parse(await Deno.readTextFile(new URL(`./fixtures/${name}`, import.meta.url)));
}

const fixture = await load("torchmetrics.json");
const extra = await load("torchmetrics_extra.json");

/** Parses a Python literal of lists, dicts, strings, numbers, True/False/None. */
function pythonLiteral(text: string): unknown {
  const json = text
    .replace(/'/g, '"')
    .replace(/\bTrue\b/g, "true")
    .replace(/\bFalse\b/g, "false")
    .replace(/\bNone\b/g, "null");
  return JSON.parse(json);
}

function parsed<T>(value: Literal): T {
  return (typeof value === "string" ? pythonLiteral(value) : value) as T;
}

/** `num_classes` → `numClasses`. */
function camelCase(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), v]),
  );
}

function depth(x: unknown): number {
  return Array.isArray(x) ? 1 + depth(x[0]) : 0;
}

type MetricClass = new (options: never) => metrics.Metric;

const CLASSES: Record<string, MetricClass> = {
  Accuracy: metrics.Accuracy,
  Precision: metrics.Precision,
  Recall: metrics.Recall,
  F1Score: metrics.F1Score,
  MeanSquaredError: metrics.MeanSquaredError,
  MeanAbsoluteError: metrics.MeanAbsoluteError,
  AUROC: metrics.AUROC,
};

/**
 * Device tensors of a batch: int32 class targets, and int32 preds where torchmetrics had labels
 * (as `preds_dtype` says, or multiclass preds of the target's shape).
 */
function batchTensors(b: Batch, task: unknown, predsDtype: string | undefined): [Tensor, Tensor] {
  if (task === undefined) return [tensor(b.preds as number[]), tensor(b.target as number[])];
  const labels = predsDtype === undefined
    ? task === "multiclass" && depth(b.preds) === depth(b.target)
    : predsDtype === "int32";
  const preds = tensor(b.preds as number[], labels ? { dtype: "int32" } : {});
  return [preds, tensor(b.target as number[], { dtype: "int32" })];
}

/** Every value within |actual - expected| <= 1e-6 · |expected|, and of the expected shape. */
async function assertRelative(actual: Tensor, expected: Value, what: string): Promise<void> {
  const want = typeof expected === "number" ? [expected] : expected;
  assert.deepEqual(actual.shape, typeof expected === "number" ? [] : [want.length], what);
  const got = Array.from(await actual.data());
  const ok = got.every((v, i) => Math.abs(v - want[i]) <= 1e-6 * Math.abs(want[i]));
  assert.ok(ok, `${what}: got [${got}], torchmetrics [${want}]`);
}

Deno.test("the fixtures were written by torchmetrics 1.9.0 and cover every metric", () => {
  assert.equal(fixture.torchmetrics, "1.9.0");
  assert.equal(extra.torchmetrics, "1.9.0");
  assert.equal(fixture.cases.length, 28);
  assert.deepEqual(
    [...new Set(fixture.cases.map((c) => c.metric))].sort(),
    Object.keys(CLASSES).sort(),
  );
});

for (const c of [...fixture.cases, ...extra.cases]) {
  Deno.test(`torchmetrics ${c.name}: step and epoch values`, async () => {
    const options = camelCase(parsed<Record<string, unknown>>(c.options));
    const metric = new CLASSES[c.metric](options as never);
    assert.equal(metric.name, c.metric);
    const batches = parsed<Batch[]>(c.batches);
    assert.equal(batches.length, c.step.length);
    for (const [i, b] of batches.entries()) {
      const [preds, target] = batchTensors(b, options.task, c.preds_dtype);
      await assertRelative(metric.forward(preds, target), c.step[i], `${c.name} step ${i}`);
      preds.dispose();
      target.dispose();
    }
    await assertRelative(metric.compute(), c.epoch, `${c.name} epoch`);
    metric.dispose();
  });
}
