/**
 * Checking an options object against the names a class knows, so that a typo (`paddin`, `bais`)
 * is an error that names the class, the key and the closest valid names instead of being ignored.
 * It sits below every layer (it imports nothing), so nn, data, metrics and the trainer share it.
 *
 * @module
 */

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * The names of `known` closest to `name` (case-insensitive edit distance at most a third of the
 * longer name, at least 2), nearest first, at most `max`.
 *
 * @example
 * ```ts
 * import { closestNames } from "lumen";
 * console.log(closestNames("paddin", ["padding", "stride", "dilation"])); // ["padding"]
 * ```
 */
export function closestNames(name: string, known: Iterable<string>, max = 3): string[] {
  const scored: [number, string][] = [];
  const lower = name.toLowerCase();
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    const limit = Math.max(2, Math.floor(Math.max(lower.length, k.length) / 3));
    if (d <= limit || k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase())) {
      scored.push([d, k]);
    }
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, max).map(([, k]) => k);
}

/**
 * Throws a `TypeError` when `options` has a key that is not in `known`, naming the owner, the key
 * and the closest valid names (or all of them when none is close). `undefined`/`null` options
 * pass.
 *
 * @example
 * ```ts
 * import { checkOptions } from "lumen";
 * try {
 *   checkOptions("Conv2d", { paddin: 1 }, ["inChannels", "outChannels", "padding"]);
 * } catch (e) {
 *   console.log((e as Error).message);
 *   // Conv2d has no option 'paddin'. Did you mean 'padding'? Valid options: inChannels, outChannels, padding
 * }
 * ```
 */
export function checkOptions(
  owner: string,
  options: object | null | undefined,
  known: readonly string[],
): void {
  if (options === null || options === undefined) return;
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closestNames(key, known);
    const hint = near.length ? ` Did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "";
    throw new TypeError(
      `${owner} has no option '${key}'.${hint} Valid options: ${known.join(", ")}`,
    );
  }
}
