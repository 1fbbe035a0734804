/**
 * What a doc example's `console.log(...); // comment` promises, and whether the printed text keeps
 * the promise. The convention (README, "Testing"):
 *
 * - The comment is what `console.log` prints: strings as they are, every other value as
 *   `Deno.inspect` writes it (`Float32Array(2) [ 0, 2 ]`, `{ fanIn: 27 }`, `[ "a", "b" ]`), the
 *   arguments separated by one space. Whitespace is normalised on both sides: runs of spaces and
 *   newlines count as one space, and spaces just inside brackets or before a comma do not count.
 * - A comment that starts with `≈` or `~` is approximate: every number in it is compared with the
 *   printed number at the precision written (`≈ 0.6931` accepts 0.69314718..., `≈ 2` accepts
 *   1.6 to 2.5); the text between the numbers must match as above.
 * - A comment that starts with `e.g.` shows a value that changes from run to run or between
 *   adapters (random weights, timings): it is not compared, but the call must run.
 * - A comment that starts with `when <condition>:` states the output of a call that runs only on
 *   some adapters (`when shader-f16: Float32Array(1) [1]`): the rest of the comment is read by
 *   these rules and compared when the call runs; the call may not run.
 * - A short explanation may follow the value after `: ` outside brackets and quotes
 *   (`[0.5]: two epochs without improvement`): when the whole comment does not match, the part
 *   before the first such `: ` must.
 * - Output on several lines is written as comment-only lines right after the call. A call that
 *   runs several times (in a loop) is compared with its outputs joined by newlines, or, when
 *   every run prints the same text, with that text.
 *
 * @module
 */

/** What one comment expects. */
export interface Expectation {
  /** `exact`, `approx` (≈ or ~) or `example` (e.g., not compared). */
  kind: "exact" | "approx" | "example";
  /** The expected text, without the prefix. */
  text: string;
  /** The condition of a call that may not run (`when <condition>:`). */
  when?: string;
}

/** Reads a comment (without its `//`) by the convention above. */
export function parseComment(comment: string): Expectation {
  const text = comment.trim();
  const when = /^when ([^:]+):\s*([\s\S]*)$/.exec(text);
  if (when) return { ...parseComment(when[2]), when: when[1].trim() };
  const approx = /^(?:≈|~)\s*/.exec(text);
  if (approx) return { kind: "approx", text: text.slice(approx[0].length) };
  if (/^e\.g\.(\s|$)/.test(text)) return { kind: "example", text: text.slice(4).trim() };
  return { kind: "exact", text };
}

/** The text `console.log(...args)` prints (without the newline). */
export function formatLog(args: readonly unknown[]): string {
  return args.map((a) => typeof a === "string" ? a : Deno.inspect(a, { colors: false })).join(" ");
}

/** The text with whitespace normalised: one space per run, none inside brackets or before commas. */
export function normalize(text: string): string {
  return text.trim()
    .replace(/\s+/g, " ")
    .replace(/([[({]) /g, "$1")
    .replace(/ ([\])},])/g, "$1");
}

/** Whether the printed text keeps the comment's promise. */
export function keeps(printed: string, expected: Expectation): boolean {
  if (expected.kind === "example") return true;
  const same = expected.kind === "approx" ? approxEqual : exactEqual;
  return candidates(expected.text).some((c) => same(printed, c));
}

/** The whole comment, then the part before its first top-level `: ` (an explanation follows). */
function candidates(text: string): string[] {
  const cut = explanationStart(text);
  return cut < 0 ? [text] : [text, text.slice(0, cut)];
}

/** The index of the first `: ` outside brackets and quotes, or -1. */
function explanationStart(text: string): number {
  let depth = 0;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if ("[({".includes(c)) depth++;
    else if ("])}".includes(c)) depth--;
    else if (c === ":" && text[i + 1] === " " && depth === 0) return i;
  }
  return -1;
}

function exactEqual(printed: string, expected: string): boolean {
  return normalize(printed) === normalize(expected);
}

/** A number not glued to a word (`Float32Array`, `fc1`) or to a dotted name (`blocks.0`). */
const NUMBER =
  /(?<![\w.])-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?(?![\w.])|(?<![\w.])-?(?:NaN|Infinity)\b/g;

function approxEqual(printed: string, expected: string): boolean {
  const p = normalize(printed), e = normalize(expected);
  const pNums = p.match(NUMBER) ?? [], eNums = e.match(NUMBER) ?? [];
  if (pNums.length !== eNums.length) return false;
  if (p.split(NUMBER).join("#") !== e.split(NUMBER).join("#")) return false;
  return eNums.every((written, i) => closeAtPrecision(Number(pNums[i]), written));
}

/** |actual − written| <= half a unit in the written number's last place. */
function closeAtPrecision(actual: number, written: string): boolean {
  const value = Number(written);
  if (!Number.isFinite(value)) return Object.is(actual, value) || actual === value;
  const m = /^-?(\d*)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(written)!;
  const decimals = (m[2]?.length ?? 0) - Number(m[3] ?? 0);
  const half = 0.5 * 10 ** -decimals;
  return Math.abs(actual - value) <= half * (1 + 1e-9);
}
