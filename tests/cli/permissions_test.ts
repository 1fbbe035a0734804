/**
 * Least privilege: the CLI runs under `--allow-read --allow-env --allow-write=<run dir>` (no -A),
 * and a `$expression` that reaches past that (the network, a file outside the run directory)
 * fails with a clear error naming its id and the missing permission.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cliProcess, errorLines } from "./helpers.ts";

async function runDir(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lumen_perm_test_" });
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  return dir;
}

function leastPrivilege(dir: string): string[] {
  return ["--allow-read", "--allow-env", `--allow-write=${dir}`];
}

Deno.test("least privilege: a $fetch(...) expression fails with its id and 'Requires net access'", async () => {
  const dir = await runDir({
    "net.yaml": [
      "trainer: {}",
      "system: {model: {}}",
      "vars:",
      '  page: $fetch("http://example.com")',
      "",
    ].join("\n"),
  });
  try {
    for (const args of [["config", "net.yaml", "--resolve", "vars"], ["fit", "net.yaml"]]) {
      const r = await cliProcess(args, { permissions: leastPrivilege(dir), cwd: dir });
      assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
      const lines = errorLines(r.stderr);
      assert.equal(
        lines[0],
        `error: net.yaml:4 @ vars::page: Expression '$fetch("http://example.com")' returned a ` +
          `Promise that rejected: NotCapable: Requires net access to "example.com:80", run again ` +
          `with the --allow-net flag`,
        args[0],
      );
      assert.doesNotMatch(r.stderr, /Uncaught/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("least privilege: writing outside the run directory fails with its id and 'Requires write access'", async () => {
  const dir = await runDir({});
  const outside = join(await Deno.makeTempDir({ prefix: "lumen_outside_" }), "outside.txt");
  await Deno.writeTextFile(
    join(dir, "write.yaml"),
    [
      "trainer: {}",
      "system:",
      "  model: {}",
      `  scheduler: {log: '$Deno.writeTextFileSync("${outside}", "x")'}`,
      "",
    ].join("\n"),
  );
  try {
    for (const args of [["config", "write.yaml", "--resolve", ""], ["fit", "write.yaml"]]) {
      const r = await cliProcess(args, { permissions: leastPrivilege(dir), cwd: dir });
      assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
      assert.equal(
        errorLines(r.stderr)[0],
        `error: write.yaml:4 @ system::scheduler::log: Failed to evaluate expression ` +
          `'$Deno.writeTextFileSync("${outside}", "x")': NotCapable: Requires write access to ` +
          `"${outside}", run again with the --allow-write flag`,
        args[0],
      );
      await assert.rejects(() => Deno.stat(outside), Deno.errors.NotFound);
    }
    // Inside the run directory, the same expression is allowed.
    const inside = join(dir, "inside.txt");
    await Deno.writeTextFile(
      join(dir, "ok.yaml"),
      `trainer: {}\nsystem: {model: {}}\nvars: {w: '$Deno.writeTextFileSync("${inside}", "ok")'}\n`,
    );
    const ok = await cliProcess(["config", "ok.yaml", "--resolve", "vars"], {
      permissions: leastPrivilege(dir),
      cwd: dir,
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(await Deno.readTextFile(inside), "ok");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(join(outside, ".."), { recursive: true });
  }
});
