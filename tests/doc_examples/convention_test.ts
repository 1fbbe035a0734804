/**
 * The doc-example checker itself: the comment convention of expect.ts, the extraction of code
 * blocks, and a wrong comment reported with its file, symbol and line.
 */
import assert from "node:assert/strict";
import { formatLog, keeps, parseComment } from "./expect.ts";
import { examplesIn, rewrite } from "./examples.ts";
import { runExample } from "./run.ts";

const ok = (printed: string, comment: string) => keeps(printed, parseComment(comment));

Deno.test("doc comments: exact comments compare console.log's text with whitespace normalised", () => {
  const printed = formatLog([new Float32Array([0, 2]), "int32", { fanIn: 27 }, [[1, 2]]]);
  assert.equal(printed, "Float32Array(2) [ 0, 2 ] int32 { fanIn: 27 } [ [ 1, 2 ] ]");
  assert.ok(ok(printed, "Float32Array(2) [0, 2] int32 {fanIn: 27} [[1, 2]]"));
  assert.ok(!ok(printed, "Float32Array [0, 2] int32 { fanIn: 27 } [[1, 2]]"));
  assert.ok(!ok(printed, 'Float32Array(2) [0, 2] "int32" { fanIn: 27 } [[1, 2]]'));
  assert.ok(!ok(printed, "Float32Array(2) [0, 2], int32 { fanIn: 27 } [[1, 2]]"));
  // Spaces between tokens still count: 1 23 is not 12 3.
  assert.ok(!ok("1 23", "12 3"));
  // A multi-line print against a comment written on several lines.
  assert.ok(ok(
    formatLog([Array.from({ length: 30 }, (_, i) => i)]),
    `[0, 1, 2, 3, 4, 5, 6, 7, 8,
    9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]`,
  ));
});

Deno.test("doc comments: ≈ and ~ compare each number at the precision written", () => {
  assert.ok(ok("0.6931471824645996", "≈ 0.6931"));
  assert.ok(ok("0.6931471824645996", "~0.693"));
  assert.ok(!ok("0.6931471824645996", "≈ 0.6932"));
  assert.ok(
    ok(
      "Float32Array(2) [ 0.800000011920929, -1.9900000095367432 ]",
      "≈ Float32Array(2) [0.8, -1.99]",
    ),
  );
  assert.ok(!ok("Float32Array(2) [ 0.800000011920929, -1.9900000095367432 ]", "≈ [0.8, -1.99]"));
  assert.ok(!ok("[ 0.8, 1.6 ]", "≈ [0.8, 1.6, 2.4]"));
  assert.ok(ok("[ 1.6 ]", "≈ [2]") && !ok("[ 1.4 ]", "≈ [2]"));
  assert.ok(ok("1.0000123e-7", "≈ 1.00e-7") && !ok("1.02e-7", "≈ 1.00e-7"));
  // Numbers inside names are text, not numbers.
  assert.ok(!ok("blocks.1.weight", "≈ blocks.0.weight"));
});

Deno.test("doc comments: e.g. is not compared; an explanation may follow ': '", () => {
  assert.equal(parseComment("e.g. llvmpipe").kind, "example");
  assert.ok(ok("anything", "e.g. llvmpipe"));
  assert.ok(ok("[ 0.5 ]", "[0.5]: two epochs without improvement"));
  assert.ok(!ok("[ 0.25 ]", "[0.5]: two epochs without improvement"));
  // The whole comment is tried first: a printed text may hold ': ' itself.
  assert.ok(ok("x.idx at byte 0: wrong magic", "x.idx at byte 0: wrong magic"));
  assert.ok(!ok("x.idx at byte 0", "x.idx at byte 1: wrong magic"));
  // A ': ' inside brackets or quotes is part of the value.
  assert.ok(!ok("{ a: 1 }", "{ a: 2 }: a note"));
  assert.ok(!ok('[ "a" ]', '["a: b"]'));
});

const FILE = `/** Adds. */
export function add(a: number, b: number): number {
  return a + b;
}

export class Box {
  /**
   * The value, doubled.
   *
   * @example
   * \`\`\`ts
   * const twice = 2 * 21;
   * console.log(twice, [twice]); // 42 [43]
   * for (const k of [1, 2]) console.log(k > 0); // true
   * console.log("a\\nb");
   * // a
   * // b
   * console.log("unchecked");
   * \`\`\`
   *
   * \`\`\`ts ignore
   * console.log(1); // 2
   * \`\`\`
   */
  double(): number {
    return 2;
  }
}
`;

Deno.test("doc comments: blocks are found with their symbol and line, ignore blocks skipped", () => {
  const examples = examplesIn("src/box.ts", FILE);
  assert.equal(examples.length, 1);
  const [e] = examples;
  assert.deepEqual([e.file, e.symbol, e.line], ["src/box.ts", "Box.double", 12]);
  assert.equal(e.code[0], "const twice = 2 * 21;");
  const { calls } = rewrite(e, "k");
  assert.deepEqual(calls.map((c) => [c.line, c.comment]), [
    [13, "42 [43]"],
    [14, "true"],
    [15, "a\nb"],
  ]);
});

Deno.test("doc comments: a wrong comment fails naming the file, the symbol and the line", async () => {
  const [e] = examplesIn("src/box.ts", FILE);
  const problems = await runExample(e);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(
    problems[0],
    /^src\/box\.ts:13 \(Box\.double\): console\.log printed\n {4}42 \[ 42 \]\n/,
  );
  assert.match(problems[0], /but the comment says\n {4}42 \[43\]$/);
});

Deno.test("doc comments: an example that throws is named with the line that threw", async () => {
  const e = {
    file: "src/x.ts",
    symbol: "x",
    line: 7,
    code: ["const a = 1;", "console.log(a); // 1", "throw new Error('boom');"],
  };
  await assert.rejects(runExample(e), /^Error: src\/x\.ts:9 \(x\): the example threw: boom/);
});

Deno.test("doc comments: 'when <condition>:' marks a call that may not run", async () => {
  assert.deepEqual(parseComment("when shader-f16: ≈ [0.33]"), {
    kind: "approx",
    text: "[0.33]",
    when: "shader-f16",
  });
  assert.ok(ok("[ 0.333251953125 ]", "when shader-f16: ≈ [0.33]"));
  assert.ok(!ok("[ 0.5 ]", "when shader-f16: ≈ [0.33]"));
  const code = ["if (Math.random() > 2) console.log(1); // when never: 1"];
  assert.deepEqual(await runExample({ file: "src/x.ts", symbol: "x", line: 3, code }), []);
});

Deno.test("doc comments: a checked call that never runs is reported", async () => {
  const e = {
    file: "src/x.ts",
    symbol: "x",
    line: 3,
    code: ["if (Math.random() > 2) console.log(1); // 1"],
  };
  assert.deepEqual(await runExample(e), ["src/x.ts:3 (x): the console.log call never ran"]);
});
