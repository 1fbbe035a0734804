/**
 * `tuner.lrSuggestion` against Lightning's `_LRFinder.suggestion()` run on torch
 * (fixtures/gen_suggestion.py): the same point on smooth, noisy, linear and exponential sweeps,
 * with non-finite losses, float32 overflow, ties, too few points and a zero spacing.
 */
import assert from "node:assert/strict";
import { tuner } from "../../mod.ts";

interface SuggestionCase {
  name: string;
  lrs: number[];
  losses: (number | string)[];
  skip_begin: number;
  skip_end: number;
  index: number | null;
}

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/suggestion.json", import.meta.url)),
) as { torch: string; cases: SuggestionCase[] };

/** Python's str() of a non-finite float back to a number. */
function pyFloat(v: number | string): number {
  if (typeof v === "number") return v;
  return { nan: NaN, inf: Infinity, "-inf": -Infinity }[v] ?? NaN;
}

Deno.test("lrSuggestion picks Lightning's point on every fixture sweep", () => {
  assert.ok(fixture.cases.length >= 15);
  for (const c of fixture.cases) {
    const losses = c.losses.map(pyFloat);
    const got = tuner.lrSuggestion(c.lrs, losses, { skipBegin: c.skip_begin, skipEnd: c.skip_end });
    if (c.index === null) assert.equal(got, null, c.name);
    else assert.deepEqual(got, { index: c.index, lr: c.lrs[c.index] }, c.name);
  }
});

Deno.test("lrSuggestion defaults to skip_begin 10, skip_end 1", () => {
  const c = fixture.cases.find((x) => x.name === "exponential sweep 1")!;
  assert.equal(c.skip_begin, 10);
  assert.equal(c.skip_end, 1);
  assert.equal(tuner.lrSuggestion(c.lrs, c.losses.map(pyFloat))?.index, c.index);
});

Deno.test("lrSuggestion rejects unpaired inputs and bad skips", () => {
  assert.throws(
    () => tuner.lrSuggestion([1, 2], [1]),
    RangeError,
    "lrSuggestion: 2 learning rates but 1 losses; they pair up",
  );
  assert.throws(
    () => tuner.lrSuggestion([1], [1], { skipBegin: -1 }),
    /'skipBegin' must be an integer >= 0, got -1/,
  );
  assert.throws(
    () => tuner.lrSuggestion([1], [1], { skipEnd: 0.5 }),
    /'skipEnd' must be an integer >= 0, got 0.5/,
  );
});
