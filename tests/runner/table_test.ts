import assert from "node:assert/strict";
import { formatMetricsTable } from "../../src/runner/mod.ts";
import { pythonFloat } from "../../src/trainer/results_table.ts";

// Expected tables: the output of Lightning 2.x `_EvaluationLoop._print_results` (its branch
// without `rich`), run in Python on the same results and terminal width.
const CASES: { results: Record<string, number>[]; stage: string; width: number; table: string }[] =
  [
    {
      "results": [
        {
          "val/loss/epoch": 0.5,
          "val/metrics/MulticlassAccuracy/epoch": 0.875,
        },
      ],
      "stage": "validate",
      "width": 120,
      "table":
        "────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────\n          Validate metric                       DataLoader 0\n────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────\n           val/loss/epoch                           0.5\nval/metrics/MulticlassAccuracy/epoch               0.875\n────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────",
    },
    {
      "results": [
        {
          "test/loss/epoch": 1e-05,
          "test/acc": 3.0,
        },
        {
          "test/loss/epoch/dataloader_idx_1": 0.25,
        },
      ],
      "stage": "test",
      "width": 80,
      "table":
        "────────────────────────────────────────────────────────────────────────────────\n       Test metric             DataLoader 0             DataLoader 1\n────────────────────────────────────────────────────────────────────────────────\n        test/acc                    3.0\n     test/loss/epoch               1e-05                    0.25\n────────────────────────────────────────────────────────────────────────────────",
    },
    {
      "results": [
        {
          "test/metrics/AVeryLongMetricNameThatOverflowsHalf/epoch": 0.1,
        },
      ],
      "stage": "test",
      "width": 40,
      "table":
        "────────────────────────────────────────\n    Test metric         DataLoader 0\n────────────────────────────────────────\ntest/metrics/AVeryLo        0.1\nngMetricNameThatOver        0.1\n  flowsHalf/epoch\n────────────────────────────────────────",
    },
  ];

Deno.test("formatMetricsTable: Lightning's results table, one column per dataloader", () => {
  for (const c of CASES) {
    assert.equal(formatMetricsTable(c.stage, c.results, c.width), c.table, `${c.stage} ${c.width}`);
  }
});

Deno.test("formatMetricsTable: no metrics, no table", () => {
  assert.equal(formatMetricsTable("test", [{}]), "");
  assert.equal(formatMetricsTable("validate", []), "");
});

Deno.test("pythonFloat: numbers as Python's str(float) writes them", () => {
  // From Python 3: repr() of each float.
  const cases: [number, string][] = [
    [1e-05, "1e-05"],
    [3, "3.0"],
    [0.1, "0.1"],
    [1.5e16, "1.5e+16"],
    [1e16, "1e+16"],
    [123456789012345.6, "123456789012345.6"],
    [0.0001, "0.0001"],
    [2.5e-7, "2.5e-07"],
    [-0, "-0.0"],
    [1e22, "1e+22"],
    [1 / 3, "0.3333333333333333"],
    [100, "100.0"],
    [NaN, "nan"],
    [-Infinity, "-inf"],
  ];
  for (const [x, s] of cases) assert.equal(pythonFloat(x), s, String(x));
});
