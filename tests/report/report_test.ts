import assert from "node:assert/strict";
import { cliInProcess as cli } from "../cli/helpers.ts";
import { attrs, inverse, parseCharts, writeFiles } from "./_page.ts";

// Two tiny runs in Lightning's layout, values chosen here (exact in binary so they print back).
const RUN_A = [
  "epoch,step,train/loss/step,val/loss/epoch,val/metrics/Accuracy/epoch,train/loss/epoch",
  "0,0,2.5,,,",
  "0,1,1.75,,,",
  "0,1,,1.5,0.5,",
  "0,1,,,,2.125",
  "1,2,1.25,,,",
  "1,3,0.875,,,",
  "1,3,,1,0.75,",
  "1,3,,,,1.0625",
].join("\n") + "\n";
const RUN_B = [
  "epoch,step,train/loss/step,val/loss/epoch,val/metrics/Accuracy/epoch,train/loss/epoch,lr-SGD",
  "0,0,2.25,,,,0.1",
  "0,1,3,,,,0.1",
  "0,1,,2,0.25,,",
  "0,1,,,,2.625,",
  "1,2,0.5,,,,0.05",
  "1,3,0.25,,,,0.05",
  "1,3,,0.375,0.875,,",
  "1,3,,,,0.375,",
].join("\n") + "\n";
const A = "runs/lr_0.01/version_0", B = "runs/lr_0.1/version_0";

/** Expected series: run → key → [x, y] pairs, written from the CSVs above by hand. */
const EXPECTED: Record<string, Record<string, [number, number][]>> = {
  [A]: {
    "train/loss/step": [[0, 2.5], [1, 1.75], [2, 1.25], [3, 0.875]],
    "val/loss/epoch": [[0, 1.5], [1, 1]],
    "val/metrics/Accuracy/epoch": [[0, 0.5], [1, 0.75]],
    "train/loss/epoch": [[0, 2.125], [1, 1.0625]],
  },
  [B]: {
    "train/loss/step": [[0, 2.25], [1, 3], [2, 0.5], [3, 0.25]],
    "val/loss/epoch": [[0, 2], [1, 0.375]],
    "val/metrics/Accuracy/epoch": [[0, 0.25], [1, 0.875]],
    "train/loss/epoch": [[0, 2.625], [1, 0.375]],
    "lr-SGD": [[0, 0.1], [1, 0.1], [2, 0.05], [3, 0.05]],
  },
};

/** Runs `body` inside a temp dir holding the two runs (as CWD, so legends are `runs/...`). */
async function inRuns(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "lumen_report_" });
  const before = Deno.cwd();
  try {
    await writeFiles(dir, {
      [`${A}/metrics.csv`]: RUN_A,
      [`${A}/hparams.yaml`]:
        "system:\n  optimizer:\n    _target_: lumen.optim.SGD\n    lr: 0.01\n" +
        "trainer:\n  max_epochs: 2\n  callbacks: [a<b]\n",
      [`${B}/metrics.csv`]: RUN_B,
      [`${B}/hparams.yaml`]: "system:\n  optimizer:\n    lr: 0.1\n",
    });
    Deno.chdir(dir);
    await body(dir);
  } finally {
    Deno.chdir(before);
    await Deno.remove(dir, { recursive: true });
  }
}

function checkCharts(text: string, where: string): void {
  const charts = parseCharts(text);
  assert.deepEqual(
    charts.map((c) => c.key),
    [
      "train/loss/step",
      "val/loss/epoch",
      "val/metrics/Accuracy/epoch",
      "train/loss/epoch",
      "lr-SGD",
    ],
    where,
  );
  for (const chart of charts) {
    assert.equal(chart.title, chart.key);
    assert.equal(chart.axis, chart.key.endsWith("/epoch") ? "epoch" : "step", chart.key);
    const notLogged = chart.key === "lr-SGD" ? " (not logged)" : "";
    assert.deepEqual(chart.legend, [A + notLogged, B], chart.key);
    assert.ok(chart.xTicks.length >= 2 && chart.yTicks.length >= 2, `${chart.key}: ticks`);
    const toX = inverse(chart.xTicks), toY = inverse(chart.yTicks);
    // Tick labels sit on a linear scale: the middle ones map back to their own values.
    for (const [px, v] of chart.xTicks) assert.ok(Math.abs(toX(px) - v) < 1e-3, `${chart.key} x`);
    for (const [py, v] of chart.yTicks) assert.ok(Math.abs(toY(py) - v) < 1e-3, `${chart.key} y`);
    const runs = Object.keys(EXPECTED).filter((r) => EXPECTED[r][chart.key]);
    assert.deepEqual([...chart.lines.keys()], runs, chart.key);
    for (const run of runs) {
      const want = EXPECTED[run][chart.key];
      const got = chart.lines.get(run)!.map(([px, py]) => [toX(px), toY(py)]);
      assert.equal(got.length, want.length, `${chart.key} ${run}`);
      got.forEach(([x, y], i) => {
        assert.ok(Math.abs(x - want[i][0]) < 1e-3, `${chart.key} ${run} x[${i}] ${x}`);
        assert.ok(Math.abs(y - want[i][1]) < 1e-3, `${chart.key} ${run} y[${i}] ${y}`);
      });
    }
  }
}

Deno.test("report: one chart per key, one polyline per run, points map back to metrics.csv", async () => {
  await inRuns(async () => {
    const r = await cli(["report", A, B, "-o", "out/report.html", "--svg", "out/curves.svg"]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "Wrote out/report.html (2 runs) and out/curves.svg");
    const html = await Deno.readTextFile("out/report.html");
    assert.match(html, /^<!DOCTYPE html>/);
    // Self-contained: no script, no external reference (only the SVG namespace URI).
    assert.doesNotMatch(html, /<script|<link|src=|@import|url\(/i);
    assert.deepEqual(
      [...new Set(html.match(/https?:\/\/[^"' ]+/g))],
      ["http://www.w3.org/2000/svg"],
    );
    checkCharts(html, "html");
    // hparams: flattened with Lighter's `::` paths, escaped.
    const tables = [...html.matchAll(/<table class="hparams"[\s\S]*?<\/table>/g)].map((m) => m[0]);
    assert.deepEqual(tables.map((t) => attrs(t)["data-run"]), [A, B]);
    const rows = (t: string) =>
      [...t.matchAll(/<td class="key">([^<]*)<\/td><td class="value">([^<]*)<\/td>/g)]
        .map((m) => [m[1], m[2]]);
    assert.deepEqual(rows(tables[0]), [
      ["system::optimizer::_target_", "lumen.optim.SGD"],
      ["system::optimizer::lr", "0.01"],
      ["trainer::max_epochs", "2"],
      ["trainer::callbacks::0", "a&lt;b"],
    ]);
    assert.deepEqual(rows(tables[1]), [["system::optimizer::lr", "0.1"]]);
    // The SVG file: one standalone document with the same charts.
    const svg = await Deno.readTextFile("out/curves.svg");
    assert.match(
      svg,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
    checkCharts(svg, "svg");
  });
});

Deno.test("report: a folder of version_N folders gives all of them in version order", async () => {
  await inRuns(async () => {
    await writeFiles(".", {
      "runs/lr_0.1/version_10/metrics.csv": "epoch,step,train/loss/step\n0,0,4\n0,1,2\n",
      "runs/lr_0.1/version_2/metrics.csv": "epoch,step,train/loss/step\n0,0,8\n",
      "runs/lr_0.1/version_3/notes.txt": "no metrics here\n",
    });
    const r = await cli(["report", "runs/lr_0.1", "-o", "r.html"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Wrote r.html (3 runs)");
    const [chart] = parseCharts(await Deno.readTextFile("r.html"));
    assert.deepEqual([...chart.lines.keys()], [
      "runs/lr_0.1/version_0",
      "runs/lr_0.1/version_2",
      "runs/lr_0.1/version_10",
    ]);
    const toY = inverse(chart.yTicks);
    assert.deepEqual(
      chart.lines.get("runs/lr_0.1/version_10")!.map(([, py]) => Math.round(toY(py) * 1e3) / 1e3),
      [4, 2],
    );
  });
});

Deno.test("report: missing or empty run folders are errors that name the folder", async () => {
  await inRuns(async () => {
    await Deno.mkdir("empty");
    const missing = await cli(["report", "nope", "-o", "r.html"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "error: report: run folder 'nope' does not exist");
    const empty = await cli(["report", "empty"]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /'empty' holds neither metrics\.csv nor version_N folders/);
    const none = await cli(["report"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /missing required argument 'runs'/);
  });
});
