/**
 * `deno install -g -A -n lumen <url-or-path>/cli.ts` gives a working `lumen` command, from a
 * path and from a URL (the repository served on 127.0.0.1), into a temporary `--root`.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { VERSION } from "../../src/version.ts";
import { ROOT } from "./helpers.ts";

async function sh(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function installAndRun(source: string): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "lumen_install_test_" });
  try {
    const install = await sh(Deno.execPath(), [
      "install",
      "-g",
      "-A",
      "-n",
      "lumen",
      "--root",
      root,
      source,
    ]);
    assert.equal(install.code, 0, install.stderr);
    // The shim runs `deno` from PATH.
    const env = { PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}` };
    const lumen = join(root, "bin", "lumen");
    const version = await sh(lumen, ["--version"], env);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), VERSION);
    const config = await sh(lumen, [
      "config",
      join(ROOT, "tests/runner/fixtures/minimal.yaml"),
      "trainer::max_epochs=4",
    ], env);
    assert.equal(config.code, 0, config.stderr);
    assert.match(config.stdout, /^trainer:\n {2}max_epochs: 4\n/);
    const misuse = await sh(lumen, ["nope"], env);
    assert.equal(misuse.code, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("deno install -g -A -n lumen <path>/cli.ts: lumen --version, lumen config", async () => {
  await installAndRun(join(ROOT, "cli.ts"));
});

Deno.test("deno install -g -A -n lumen <url>/cli.ts: installed from a URL", async () => {
  const root = new URL("../../", import.meta.url);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname).replace(/^\/+/, "");
    if (path.includes("..")) return new Response("no", { status: 403 });
    try {
      const body = await Deno.readFile(new URL(path, root));
      return new Response(body, { headers: { "content-type": "application/typescript" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    await installAndRun(`http://127.0.0.1:${server.addr.port}/cli.ts`);
  } finally {
    await server.shutdown();
  }
});
