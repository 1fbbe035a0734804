/** Helpers for the report tests: tiny runs on disk and a small reader for the charts' SVG. */

/** Writes `files` (path relative to `root` → text) under `root`. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const full = `${root}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, text);
  }
}

/** The attributes of the first tag in `tag` (`<name a="1" b="2">`), entities decoded. */
export function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const head = tag.slice(0, tag.indexOf(">") + 1);
  for (const m of head.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]] = unescape(m[2]);
  return out;
}

/** Decodes the five XML entities. */
export function unescape(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** One chart as read from the page. */
export interface ParsedChart {
  key: string;
  axis: string;
  title: string;
  /** x tick labels: [pixel x, value]. */
  xTicks: [number, number][];
  /** y tick labels: [pixel y, value]. */
  yTicks: [number, number][];
  /** run label → [pixel x, pixel y] points of its polyline. */
  lines: Map<string, [number, number][]>;
  /** The legend's texts. */
  legend: string[];
}

function ticks(svg: string, cls: string, coord: "x" | "y"): [number, number][] {
  return [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, "g"))]
    .map((m) => [Number(attrs(m[0])[coord]), Number(m[1])]);
}

/** Every `<svg class="chart">` of an HTML page or SVG file. */
export function parseCharts(text: string): ParsedChart[] {
  const charts: ParsedChart[] = [];
  for (const m of text.matchAll(/<svg [^>]*class="chart"[\s\S]*?<\/svg>/g)) {
    const svg = m[0];
    const a = attrs(svg);
    const lines = new Map<string, [number, number][]>();
    for (const p of svg.matchAll(/<polyline [^>]*>/g)) {
      const pa = attrs(p[0]);
      lines.set(
        pa["data-run"],
        pa.points.split(" ").map((xy) => xy.split(",").map(Number) as [number, number]),
      );
    }
    charts.push({
      key: a["data-key"],
      axis: a["data-axis"],
      title: unescape(/<text class="chart-title"[^>]*>([^<]*)<\/text>/.exec(svg)?.[1] ?? ""),
      xTicks: ticks(svg, "xtick-label", "x"),
      yTicks: ticks(svg, "ytick-label", "y"),
      lines,
      legend: [...svg.matchAll(/<g class="legend-item"[\s\S]*?<text[^>]*>([^<]*)<\/text>/g)]
        .map((l) => unescape(l[1])),
    });
  }
  return charts;
}

/**
 * The inverse of a chart's axis scale, read from its first and last tick labels (what a reader
 * of the chart would do): pixel → value.
 */
export function inverse(ticks: [number, number][]): (px: number) => number {
  const [p0, v0] = ticks[0], [p1, v1] = ticks[ticks.length - 1];
  return (px) => v0 + ((px - p0) * (v1 - v0)) / (p1 - p0);
}
