/**
 * Reads Lightning-layout runs for `lumen report`: `version_N/metrics.csv` (one column per logged
 * key, empty cells where a row lacks a key) and `version_N/hparams.yaml`.
 *
 * @module
 */
import { join, relative, resolve } from "node:path";
import { parseCsv, parseYaml } from "../deps.ts";

/** The x axis of a metric: keys ending in `/epoch` or `_epoch` are drawn against the epoch. */
export type Axis = "step" | "epoch";

/** One metric of one run: its points (x = step or epoch) in file order. */
export interface Series {
  /** The column name, e.g. `val/loss/epoch`. */
  key: string;
  /** What x is. */
  axis: Axis;
  /** x values (steps or epochs). */
  x: number[];
  /** The metric's values. */
  y: number[];
}

/** One run folder (`version_N`) read back. */
export interface Run {
  /** The folder's path relative to the working directory (the legend). */
  label: string;
  /** The absolute path of the folder. */
  dir: string;
  /** The metrics, in column order. */
  series: Series[];
  /** hparams.yaml flattened to `a::b::c` keys and printed values (empty without the file). */
  hparams: [string, string][];
}

/** The axis of a metrics.csv column. */
export function axisOf(key: string): Axis {
  return /[/_]epoch$/.test(key) ? "epoch" : "step";
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * The run folders a path (relative to `cwd`) names, as absolute paths: the path itself when it holds metrics.csv, else every
 * `version_N` folder in it that holds one, in the order of N.
 */
export async function runDirs(given: string, cwd: string = Deno.cwd()): Promise<string[]> {
  const path = resolve(cwd, given);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new Error(`report: run folder '${given}' does not exist`);
  }
  if (!info.isDirectory) throw new Error(`report: '${given}' is not a folder`);
  if (await isFile(join(path, "metrics.csv"))) return [path];
  const versions: [number, string][] = [];
  for await (const entry of Deno.readDir(path)) {
    const m = /^version_(\d+)$/.exec(entry.name);
    if (entry.isDirectory && m && await isFile(join(path, entry.name, "metrics.csv"))) {
      versions.push([Number(m[1]), join(path, entry.name)]);
    }
  }
  if (versions.length === 0) {
    throw new Error(
      `report: '${given}' holds neither metrics.csv nor version_N folders with one ` +
        "(expected a run folder such as runs/name/version_0, or the folder above it)",
    );
  }
  return versions.sort((a, b) => a[0] - b[0]).map(([, dir]) => dir);
}

function num(cell: string | undefined): number | undefined {
  if (cell === undefined || cell.trim() === "") return undefined;
  const v = Number(cell);
  return Number.isFinite(v) ? v : undefined;
}

/** Parses metrics.csv text into one series per metric column (non-finite cells are skipped). */
export function parseMetrics(text: string, where = "metrics.csv"): Series[] {
  let rows: string[][];
  try {
    rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, bom: true });
  } catch (e) {
    throw new Error(`report: cannot parse ${where}: ${(e as Error).message}`);
  }
  if (rows.length === 0) return [];
  const header = rows[0];
  const stepCol = header.indexOf("step"), epochCol = header.indexOf("epoch");
  const series: Series[] = [];
  header.forEach((key, col) => {
    if (col === stepCol || col === epochCol) return;
    const axis = axisOf(key);
    const xCol = axis === "epoch" ? epochCol : stepCol;
    if (xCol < 0) throw new Error(`report: ${where} has no '${axis}' column for '${key}'`);
    const s: Series = { key, axis, x: [], y: [] };
    for (const row of rows.slice(1)) {
      const x = num(row[xCol]), y = num(row[col]);
      if (x !== undefined && y !== undefined) {
        s.x.push(x);
        s.y.push(y);
      }
    }
    series.push(s);
  });
  return series;
}

function printValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
}

/** Flattens parsed YAML into `a::b::0::c` keys (Lighter's path syntax) with printed values. */
export function flattenHparams(value: unknown, prefix = ""): [string, string][] {
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return prefix ? [[prefix, Array.isArray(value) ? "[]" : "{}"]] : [];
    return entries.flatMap(([k, v]) => flattenHparams(v, prefix ? `${prefix}::${k}` : k));
  }
  return prefix ? [[prefix, printValue(value)]] : [];
}

/** Reads one run folder (metrics.csv, and hparams.yaml when present). */
export async function readRun(dir: string, cwd: string = Deno.cwd()): Promise<Run> {
  const abs = resolve(cwd, dir);
  const csvPath = join(abs, "metrics.csv");
  const series = parseMetrics(await Deno.readTextFile(csvPath), csvPath);
  let hparams: [string, string][] = [];
  const yamlPath = join(abs, "hparams.yaml");
  if (await isFile(yamlPath)) {
    try {
      hparams = flattenHparams(parseYaml(await Deno.readTextFile(yamlPath)));
    } catch (e) {
      throw new Error(`report: cannot parse ${yamlPath}: ${(e as Error).message}`);
    }
  }
  return { label: relative(cwd, abs) || ".", dir: abs, series, hparams };
}

/** Reads every run that `paths` name (see {@linkcode runDirs}), relative to `cwd`. */
export async function readRuns(paths: string[], cwd: string = Deno.cwd()): Promise<Run[]> {
  const runs: Run[] = [];
  for (const p of paths) {
    for (const dir of await runDirs(p, cwd)) runs.push(await readRun(dir, cwd));
  }
  return runs;
}
