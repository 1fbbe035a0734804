/** The kernel coverage check reads lcov, counts lines per file and names the uncovered ones. */
import assert from "node:assert/strict";
import { hasRuntimeCode, kernelReports, lineRuns, parseLcov } from "./kernel_coverage.ts";

const root = new URL("../../", import.meta.url);

const LCOV = `SF:${new URL("kernels/a.ts", root).pathname}
FN:1,f
DA:1,4
DA:2,0
DA:3,0
DA:5,1
DA:7,0
end_of_record
SF:${new URL("kernels/b.ts", root).pathname}
DA:1,2
DA:1,0
end_of_record
`;

Deno.test("kernel coverage: lcov lines per file, uncovered lines as runs", () => {
  const profile = parseLcov(LCOV);
  assert.deepEqual(profile.map((p) => p.file), ["kernels/a.ts", "kernels/b.ts"]);
  const sources = new Map([
    ["kernels/a.ts", "export function f() {}"],
    ["kernels/b.ts", "export const x = 1;"],
    ["kernels/types.ts", "/** A. */\nexport interface A {\n  x: number;\n}\nexport type B = A;\n"],
    ["kernels/never.ts", 'import { x } from "./b.ts";\nexport function g() {\n  return x;\n}\n'],
  ]);
  const reports = kernelReports(profile, sources);
  assert.deepEqual(reports.map((r) => [r.file, r.covered, r.total, r.uncovered, r.unloaded]), [
    ["kernels/a.ts", 2, 5, [2, 3, 7], false],
    ["kernels/b.ts", 1, 1, [], false],
    ["kernels/never.ts", 0, 0, [], true],
    ["kernels/types.ts", 0, 0, [], false],
  ]);
  assert.deepEqual(lineRuns([7, 2, 3]), ["2-3", "7"]);
  assert.deepEqual(lineRuns([1, 2, 3, 5, 9, 10]), ["1-3", "5", "9-10"]);
});

Deno.test("kernel coverage: a file of types only has no runtime code", () => {
  assert.equal(hasRuntimeCode('import type { A } from "./a.ts";\nexport interface B {}\n'), false);
  assert.equal(
    hasRuntimeCode("// const x = 1;\n/* function f() {} */\nexport type T = 1;\n"),
    false,
  );
  assert.equal(hasRuntimeCode("export const MAX = 4;\n"), true);
  assert.equal(hasRuntimeCode('export * from "./x.ts";\n'), true);
  assert.equal(hasRuntimeCode("export abstract class K {}\n"), true);
});
