/**
 * Fails when a line of kernels/ runs in no test. Reads a coverage profile of the suite
 * (`deno task test --coverage=DIR`, as .ci/run collects it on the default adapter) through
 * `deno coverage DIR --lcov`, and prints each kernel file's line coverage, then every line no
 * test ran as `file:line` (runs of lines as `file:first-last`). A kernel file that no test
 * loaded at all counts as wholly uncovered.
 *
 * Usage: `deno run -A tests/coverage/kernel_coverage.ts DIR`; exit status 1 when a line is
 * uncovered, 2 when the profile cannot be read.
 *
 * @module
 */

/** Line hits of one source file, from an lcov report. */
export interface FileCoverage {
  /** The path relative to the repository root (`kernels/matmul.ts`). */
  file: string;
  /** Line number (1-based) to hit count, for the lines the report counts. */
  lines: Map<number, number>;
}

const root = new URL("../../", import.meta.url);

/** The `SF:`/`DA:` records of an lcov report, for files under the repository root. */
export function parseLcov(text: string): FileCoverage[] {
  const out: FileCoverage[] = [];
  let current: FileCoverage | undefined;
  const rootPath = decodeURIComponent(root.pathname);
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("SF:")) {
      let path = line.slice(3);
      if (path.startsWith("file://")) path = decodeURIComponent(new URL(path).pathname);
      const file = path.startsWith(rootPath) ? path.slice(rootPath.length) : path;
      current = { file, lines: new Map() };
      out.push(current);
    } else if (line.startsWith("DA:") && current) {
      const [n, hits] = line.slice(3).split(",");
      const ln = Number(n);
      current.lines.set(ln, Math.max(current.lines.get(ln) ?? 0, Number(hits)));
    } else if (line === "end_of_record") current = undefined;
  }
  return out;
}

/** Lines as `a-b` runs: [3, 4, 5, 9] → ["3-5", "9"]. */
export function lineRuns(lines: number[]): string[] {
  const runs: string[] = [];
  const sorted = [...lines].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    runs.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return runs;
}

/** One kernel file's figures: counted lines, covered lines, the uncovered ones. */
export interface KernelReport {
  file: string;
  total: number;
  covered: number;
  uncovered: number[];
  /** True when no test loaded the file (it is missing from the profile). */
  unloaded: boolean;
}

/**
 * Whether a source file holds code that runs: a function, class, variable or statement, not
 * only types and interfaces (whose imports TypeScript erases, so no test ever loads the file).
 */
export function hasRuntimeCode(source: string): boolean {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return /^(?:export\s+)?(?:default\s+|async\s+|abstract\s+)*(?:function|class|const|let|var|enum)\b/m
    .test(code) || /^export\s+(?:\*|\{)/m.test(code) || /^import\s+(?!type\b)/m.test(code);
}

/**
 * The report of every kernel file against the parsed profile; `sources` maps each file to its
 * text (a file the profile lacks is unloaded only when it has runtime code).
 */
export function kernelReports(
  profile: FileCoverage[],
  sources: Map<string, string>,
): KernelReport[] {
  return [...sources.keys()].sort().map((file) => {
    const cov = profile.find((p) => p.file === file);
    if (!cov) {
      const unloaded = hasRuntimeCode(sources.get(file)!);
      return { file, total: 0, covered: 0, uncovered: [], unloaded };
    }
    const uncovered = [...cov.lines].filter(([, hits]) => hits === 0).map(([n]) => n);
    return {
      file,
      total: cov.lines.size,
      covered: cov.lines.size - uncovered.length,
      uncovered: uncovered.sort((a, b) => a - b),
      unloaded: false,
    };
  });
}

/** The kernel files in the working tree (kernels/**.ts, tests excluded) and their text. */
async function kernelSources(
  dir = "kernels/",
  sources = new Map<string, string>(),
): Promise<Map<string, string>> {
  for await (const e of Deno.readDir(new URL(dir, root))) {
    const path = `${dir}${e.name}`;
    if (e.isDirectory) await kernelSources(`${path}/`, sources);
    else if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
      sources.set(path, await Deno.readTextFile(new URL(path, root)));
    }
  }
  return sources;
}

async function main(dir: string | undefined): Promise<number> {
  if (!dir) {
    console.error("usage: deno run -A tests/coverage/kernel_coverage.ts COVERAGE_DIR");
    return 2;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["coverage", "--lcov", "--include=/kernels/", dir],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    console.error(`deno coverage ${dir} failed:\n${new TextDecoder().decode(out.stderr)}`);
    return 2;
  }
  const reports = kernelReports(
    parseLcov(new TextDecoder().decode(out.stdout)),
    await kernelSources(),
  );
  let totalLines = 0, coveredLines = 0;
  for (const r of reports) {
    totalLines += r.total;
    coveredLines += r.covered;
    const pct = r.total === 0 ? "n/a" : `${(100 * r.covered / r.total).toFixed(1)}%`;
    const note = r.unloaded ? " (no test loads it)" : r.total === 0 ? " (types only)" : "";
    console.log(
      `${r.file.padEnd(32)} ${`${r.covered}/${r.total}`.padStart(9)} ${pct.padStart(6)}${note}`,
    );
  }
  console.log(`${"kernels/ total".padEnd(32)} ${`${coveredLines}/${totalLines}`.padStart(9)}`);
  const bad = reports.filter((r) => r.unloaded || r.uncovered.length > 0);
  if (bad.length === 0) {
    console.log("every line of kernels/ runs in a test");
    return 0;
  }
  console.log("\nlines of kernels/ that no test runs:");
  for (const r of bad) {
    if (r.unloaded) console.log(`${r.file}: the whole file (no test loads it)`);
    for (const run of lineRuns(r.uncovered)) console.log(`${r.file}:${run}`);
  }
  return 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args[0]));
