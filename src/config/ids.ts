/**
 * Reference syntax (`@id`, `@::rel`, `%file.yaml::id`) and "did you mean" suggestions.
 *
 * @module
 */

import { ConfigReferenceError, type SourceLocation } from "./errors.ts";
import { splitId } from "./tree.ts";

/** The id separator. */
export const SEP = "::";

/** `@id` inside an expression or a reference string: word characters joined by `::`. */
export const REF_PATTERN: RegExp = /@((?:::)*)(\w+(?:::\w+)*)/g;

/** A whole-string reference: `@id` or `@::...::id`. */
const PURE_REF = /^@((?:::)*)(\w+(?:::\w+)*)$/;

/** The `@id` at the start of a string followed by more text (for the malformed-reference hint). */
const REF_PREFIX = /^@((?:::)*)(\w+(?:::\w+)*)/;

/**
 * Classifies a string: `"ref"` for a whole-string `@id`, `"expr"` for `$...`, `"raw"` for
 * `%...`, `"bad-ref"` for `@id` glued to more text (`@a.b`, `@a-b`), and `"plain"` otherwise
 * (including `"x @a"` and `"@a @b"`).
 */
export function classifyString(s: string): "ref" | "expr" | "raw" | "bad-ref" | "plain" {
  const c = s.charCodeAt(0);
  if (c === 36 /* $ */) return "expr";
  if (c === 37 /* % */) return "raw";
  if (c !== 64 /* @ */) return "plain";
  if (PURE_REF.test(s)) return "ref";
  if (REF_PREFIX.test(s) && !/\s/.test(s) && s.indexOf("@", 1) < 0) return "bad-ref";
  return "plain";
}

/** The absolute id of a whole-string reference `@id` (relative ids already rewritten). */
export function refId(s: string): string {
  return s.slice(1);
}

/**
 * Turns a relative id into an absolute one: each leading `::` pair drops one trailing segment of
 * `currentId` (the id of the node holding the reference), then `rest` is appended.
 * `("parent::child", 1, "sibling")` → `parent::sibling`.
 */
export function absoluteId(
  currentId: string,
  levels: number,
  rest: string,
  text: string,
  location?: SourceLocation,
): string {
  const segs = splitId(currentId);
  if (levels > segs.length) {
    throw new ConfigReferenceError(
      `Relative reference '${text}' goes ${levels} levels up, but '${currentId}' is only ` +
        `${segs.length} level${segs.length === 1 ? "" : "s"} deep`,
      { id: currentId, location },
    );
  }
  const base = segs.slice(0, segs.length - levels);
  return [...base, ...(rest === "" ? [] : splitId(rest))].join(SEP);
}

/** Rewrites every relative `@::x` inside a `@`/`$` string to an absolute `@id`. */
export function rewriteRelativeRefs(
  s: string,
  currentId: string,
  location?: SourceLocation,
): string {
  if (s.indexOf("@::") < 0) return s;
  return s.replace(REF_PATTERN, (whole, colons: string, rest: string) => {
    if (colons === "") return whole;
    return "@" + absoluteId(currentId, colons.length / 2, rest, whole, location);
  });
}

/** Splits a raw reference `%path/file.yaml::a::b` into the file (or "") and the id. */
export function splitRawRef(body: string): { file: string; id: string } {
  const m = /^(.*?\.ya?ml)(?=::|$)/i.exec(body);
  if (!m) return { file: "", id: body };
  const rest = body.slice(m[1].length);
  return { file: m[1], id: rest.startsWith(SEP) ? rest.slice(SEP.length) : rest };
}

/** The Levenshtein edit distance between two strings. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Similarity in [0, 1]: 1 − distance / longer length. */
export function similarity(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  return n === 0 ? 1 : 1 - editDistance(a, b) / n;
}

/**
 * Up to `max` candidates closest to `name`: similarity ≥ 0.6 on the whole name, or the same last
 * `::`/`.` segment (so `@lr` suggests `system::optimizer::lr`).
 */
export function closest(name: string, candidates: Iterable<string>, max = 3): string[] {
  const lastOf = (s: string): string => s.split(/::|\./).pop() ?? s;
  const last = lastOf(name).toLowerCase();
  const scored: [number, string][] = [];
  for (const c of candidates) {
    let score = similarity(name.toLowerCase(), c.toLowerCase());
    if (lastOf(c).toLowerCase() === last) score = Math.max(score, 0.9);
    else score = Math.max(score, similarity(last, lastOf(c).toLowerCase()) - 0.15);
    if (score >= 0.6) scored.push([score, c]);
  }
  scored.sort((x, y) => y[0] - x[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, max).map(([, c]) => c);
}

/** `" Did you mean 'a' or 'b'?"`, or "" when there is nothing close. */
export function didYouMean(names: string[], prefix = ""): string {
  if (names.length === 0) return "";
  const q = names.map((n) => `'${prefix}${n}'`);
  const list = q.length === 1 ? q[0] : `${q.slice(0, -1).join(", ")} or ${q[q.length - 1]}`;
  return ` Did you mean ${list}?`;
}
