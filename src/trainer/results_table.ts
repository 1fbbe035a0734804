/**
 * The table of metrics that `validate` and `test` print, laid out as Lightning prints it when
 * `rich` is not installed (`_print_results` of its evaluation loop).
 *
 * @module
 */

/** A number as Python's `str(float)` writes it (`1.0`, `0.25`, `1e-05`, `nan`). */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  let fixed: string;
  if (exp < 0) fixed = `0.${"0".repeat(-exp - 1)}${digits}`;
  else if (digits.length <= exp + 1) fixed = `${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  else fixed = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return sign + fixed;
}

/** Python's `f"{s:^{width}}"`: centred, the odd space on the right, never cut. */
function center(s: string, width: number): string {
  const pad = width - s.length;
  if (pad <= 0) return s;
  const left = Math.floor(pad / 2);
  return " ".repeat(left) + s + " ".repeat(pad - left);
}

/**
 * The metrics table of a `validate` or `test` run, one column per dataloader, metrics sorted by
 * name: what Lightning prints after `trainer.validate()`/`trainer.test()` (without `rich`).
 * Returns "" when there are no metrics. `width` is the terminal width (Lightning's fallback is
 * 120).
 */
export function formatMetricsTable(
  stage: string,
  results: readonly Readonly<Record<string, number>>[],
  width = 120,
): string {
  const cleaned = results.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k.split("/dataloader_idx_")[0], v]))
  );
  const names = [...new Set(cleaned.flatMap((r) => Object.keys(r)))].sort();
  if (names.length === 0) return "";
  const headers = cleaned.map((_, i) => `DataLoader ${i}`);
  const longest = (xs: string[]): number => Math.max(...xs.map((x) => x.length));
  const maxLength = Math.floor(
    Math.min(Math.max(longest(names), longest(headers), 25), width / 2),
  );
  const rows = names.map((name) =>
    cleaned.map((r) => (name in r && r[name] !== undefined ? pythonFloat(r[name]) : " "))
  );
  const numCols = Math.max(1, Math.floor((width - maxLength) / maxLength));
  const half = Math.floor(width / 2);
  const bar = "─".repeat(width);
  const title = `${stage} metric`;
  const heading = title.charAt(0).toUpperCase() + title.slice(1).toLowerCase();
  const format = (cells: string[]): string =>
    cells.map((c) => center(c, maxLength)).join("").trimEnd();
  const blocks: string[] = [];
  for (let i = 0; i < headers.length; i += numCols) {
    const lines = [bar, format([heading, ...headers.slice(i, i + numCols)]), bar];
    names.forEach((name, r) => {
      const cells = rows[r].slice(i, i + numCols);
      let metric = name;
      if (metric.length > half) {
        while (metric.length > half) {
          lines.push(format([metric.slice(0, half), ...cells]));
          metric = metric.slice(half);
        }
        lines.push(format([metric, " "]));
      } else lines.push(format([metric, ...cells]));
    });
    lines.push(bar);
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n");
}
