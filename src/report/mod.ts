/**
 * `lumen report`: training curves of Lightning-layout runs as one self-contained HTML page (and
 * optionally one SVG file).
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { reportHtml } from "./html.ts";
import { readRuns, type Run } from "./runs.ts";
import { chartsSvg } from "./svg.ts";

export { axisOf, flattenHparams, parseMetrics, readRun, readRuns, runDirs } from "./runs.ts";
export type { Axis, Run, Series } from "./runs.ts";
export { chartKeys, chartsSvg, chartSvg } from "./svg.ts";
export { reportHtml } from "./html.ts";
export { formatTick, linearScale, scaleValue } from "./scale.ts";

/** Options of {@linkcode writeReport}. */
export interface ReportOptions {
  /** The HTML file to write (default `report.html`). */
  out?: string;
  /** Also write every chart in one SVG file here. */
  svg?: string;
  /** Where relative paths start and what legends are relative to (default: the CWD). */
  cwd?: string;
}

async function writeText(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, text);
}

/** Reads the runs that `paths` name and writes the HTML page (and the SVG); returns the runs. */
export async function writeReport(paths: string[], options: ReportOptions = {}): Promise<Run[]> {
  if (paths.length === 0) throw new Error("report: give at least one run folder");
  const cwd = options.cwd ?? Deno.cwd();
  const runs = await readRuns(paths, cwd);
  await writeText(resolve(cwd, options.out ?? "report.html"), reportHtml(runs));
  if (options.svg !== undefined) await writeText(resolve(cwd, options.svg), chartsSvg(runs));
  return runs;
}
