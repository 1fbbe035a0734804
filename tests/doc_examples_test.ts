/**
 * The doc examples' printed comments are checked: every `ts` block in the doc comments of the
 * files mod.ts reaches runs with each `console.log(...); // comment` compared with what it prints
 * (the convention is in tests/doc_examples/expect.ts and README's "Testing").
 */
import assert from "node:assert/strict";
import { type DocExample, examplesIn, reachableFiles, rewrite } from "./doc_examples/examples.ts";
import { runExample, where } from "./doc_examples/run.ts";

const root = new URL("../", import.meta.url);

const examples: DocExample[] = [];
for (const file of await reachableFiles()) {
  const text = await Deno.readTextFile(new URL(file, root));
  examples.push(...examplesIn(file, text));
}

for (const example of examples) {
  if (rewrite(example, "").calls.length === 0) continue;
  Deno.test(`doc example ${where(example, example.line)} prints what its comments say`, async () => {
    const problems = await runExample(example);
    if (problems.length > 0) assert.fail(`\n${problems.join("\n")}`);
  });
}
