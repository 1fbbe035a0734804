/**
 * One SVG line chart per metric key, one polyline per run, for `lumen report`.
 *
 * @module
 */
import type { Axis, Run } from "./runs.ts";
import { formatTick, linearScale, scaleValue } from "./scale.ts";

/** Line colours, one per run (cycled). */
export const PALETTE: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/** Chart geometry in pixels. */
export const CHART = {
  width: 640,
  plotHeight: 300,
  left: 72,
  right: 24,
  top: 36,
  legendRow: 18,
} as const;

/** Escapes text for XML and HTML (content and attribute values). */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** One chart: a metric key and the axis its x values are on. */
export interface ChartSpec {
  /** The metric key (the title). */
  key: string;
  /** step or epoch. */
  axis: Axis;
}

/** The metric keys of all runs, in the order they first appear. */
export function chartKeys(runs: Run[]): ChartSpec[] {
  const seen = new Map<string, ChartSpec>();
  for (const run of runs) {
    for (const s of run.series) if (!seen.has(s.key)) seen.set(s.key, { key: s.key, axis: s.axis });
  }
  return [...seen.values()];
}

const fmt = (v: number): string => String(Math.round(v * 100) / 100);

/** The height of a chart with `runs` legend rows. */
export function chartHeight(runs: number): number {
  return CHART.top + CHART.plotHeight + 44 + runs * CHART.legendRow + 8;
}

/**
 * The SVG of one chart: title, axes with ticks and labels, one polyline (and dots for up to 50
 * points) per run that logged the key, a legend with every run. `x`/`y` place it inside a larger
 * SVG (they become attributes of this `<svg>`).
 */
export function chartSvg(
  spec: ChartSpec,
  runs: Run[],
  at: { x?: number; y?: number } = {},
): string {
  const { width, plotHeight, left, right, top, legendRow } = CHART;
  const height = chartHeight(runs.length);
  const bottom = top + plotHeight;
  const drawn = runs.map((run, i) => ({
    run,
    color: PALETTE[i % PALETTE.length],
    s: run.series.find((s) => s.key === spec.key && s.x.length > 0),
  }));
  const xs = drawn.flatMap((d) => d.s?.x ?? []), ys = drawn.flatMap((d) => d.s?.y ?? []);
  const minOf = (a: number[]) => a.reduce((m, v) => Math.min(m, v), Infinity);
  const maxOf = (a: number[]) => a.reduce((m, v) => Math.max(m, v), -Infinity);
  const sx = linearScale(minOf(xs), maxOf(xs), [left, width - right], 8);
  const sy = linearScale(minOf(ys), maxOf(ys), [bottom, top], 6);
  const place = (at.x !== undefined ? ` x="${at.x}"` : "") +
    (at.y !== undefined ? ` y="${at.y}"` : "");
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-key="${escapeXml(spec.key)}"` +
    ` data-axis="${spec.axis}"${place} width="${width}" height="${height}"` +
    ` viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(spec.key)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text class="chart-title" x="${width / 2}" y="20" text-anchor="middle" font-size="14"` +
    ` font-weight="bold">${escapeXml(spec.key)}</text>`,
  ];
  for (const t of sx.ticks) {
    const px = fmt(scaleValue(sx, t));
    parts.push(
      `<line class="grid" x1="${px}" y1="${top}" x2="${px}" y2="${bottom}" stroke="#eee"/>`,
      `<line class="xtick" x1="${px}" y1="${bottom}" x2="${px}" y2="${bottom + 5}" stroke="#333"/>`,
      `<text class="xtick-label" x="${px}" y="${bottom + 17}" text-anchor="middle">` +
        `${formatTick(t)}</text>`,
    );
  }
  for (const t of sy.ticks) {
    const py = fmt(scaleValue(sy, t));
    parts.push(
      `<line class="grid" x1="${left}" y1="${py}" x2="${width - right}" y2="${py}" stroke="#eee"/>`,
      `<line class="ytick" x1="${left - 5}" y1="${py}" x2="${left}" y2="${py}" stroke="#333"/>`,
      `<text class="ytick-label" x="${left - 8}" y="${py}" text-anchor="end"` +
        ` dominant-baseline="middle">${formatTick(t)}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${left}" y1="${bottom}" x2="${
      width - right
    }" y2="${bottom}" stroke="#333"/>`,
    `<line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`,
    `<text class="axis-label" x="${(left + width - right) / 2}" y="${bottom + 34}"` +
      ` text-anchor="middle">${spec.axis}</text>`,
  );
  for (const { run, color, s } of drawn) {
    if (!s) continue;
    const pts = s.x.map((x, i) => `${fmt(scaleValue(sx, x))},${fmt(scaleValue(sy, s.y[i]))}`);
    parts.push(
      `<polyline class="series" data-run="${escapeXml(run.label)}" fill="none" stroke="${color}"` +
        ` stroke-width="1.5" points="${pts.join(" ")}"/>`,
    );
    if (pts.length <= 50) {
      for (const p of pts) {
        const [cx, cy] = p.split(",");
        parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
      }
    }
  }
  drawn.forEach(({ run, color, s }, i) => {
    const y = bottom + 52 + i * legendRow;
    parts.push(
      `<g class="legend-item" data-run="${escapeXml(run.label)}">` +
        `<line x1="${left}" y1="${y}" x2="${left + 24}" y2="${y}" stroke="${color}"` +
        ` stroke-width="3"/><text x="${left + 30}" y="${y}" dominant-baseline="middle">` +
        `${escapeXml(run.label)}${s ? "" : " (not logged)"}</text></g>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Every chart stacked in one standalone SVG document (what `--svg` writes). */
export function chartsSvg(runs: Run[]): string {
  const specs = chartKeys(runs);
  const h = chartHeight(runs.length);
  const total = Math.max(1, specs.length * h);
  const charts = specs.map((spec, i) => chartSvg(spec, runs, { x: 0, y: i * h }));
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${total}"` +
    ` viewBox="0 0 ${CHART.width} ${total}">\n${charts.join("\n")}\n</svg>\n`;
}
