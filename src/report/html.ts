/**
 * The report page: every chart as inline SVG and each run's hparams in a table, with inline CSS
 * and nothing loaded from elsewhere.
 *
 * @module
 */
import type { Run } from "./runs.ts";
import { chartKeys, chartSvg, escapeXml } from "./svg.ts";

const CSS = `
body { font-family: sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; }
h2 { font-size: 16px; margin-top: 28px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart-figure { margin: 0; border: 1px solid #ddd; }
table.hparams { border-collapse: collapse; font-size: 12px; margin-bottom: 16px; }
table.hparams td, table.hparams th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; }
table.hparams td.value { font-family: monospace; white-space: pre-wrap; }
`;

/** The report as one self-contained HTML page. */
export function reportHtml(runs: Run[], title = "lumen report"): string {
  const specs = chartKeys(runs);
  const charts = specs.map((spec) =>
    `<figure class="chart-figure">\n${chartSvg(spec, runs)}\n</figure>`
  );
  const tables = runs.map((run) => {
    const rows = run.hparams.map(([k, v]) =>
      `<tr><td class="key">${escapeXml(k)}</td><td class="value">${escapeXml(v)}</td></tr>`
    );
    const body = rows.length > 0
      ? `<table class="hparams" data-run="${escapeXml(run.label)}">\n` +
        `<tr><th>hparam</th><th>value</th></tr>\n${rows.join("\n")}\n</table>`
      : `<p class="no-hparams">no hparams.yaml</p>`;
    return `<h3>${escapeXml(run.label)}</h3>\n${body}`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<p class="runs">Runs: ${runs.map((r) => escapeXml(r.label)).join(", ")}</p>
<h2>Metrics</h2>
<section class="charts">
${charts.length > 0 ? charts.join("\n") : "<p>No metrics logged.</p>"}
</section>
<h2>Hyperparameters</h2>
<section class="hparams">
${tables.join("\n")}
</section>
</body>
</html>
`;
}
