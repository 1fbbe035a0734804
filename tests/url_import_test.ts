/**
 * mod.ts must work when imported by URL from a script outside the repo (deno.json's import map
 * does not apply then): serve the repo on 127.0.0.1 and import it from a temporary script.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

Deno.test("mod.ts imported over http from a script outside the repo", async () => {
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
  const dir = await Deno.makeTempDir();
  try {
    const url = `http://127.0.0.1:${server.addr.port}/mod.ts`;
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import * as lumen from "${url}";
const x = lumen.tensor([[1, 2], [3, 4]], { requiresGrad: true });
const y = x.matmul(x).sum();
y.backward();
console.log(JSON.stringify({ y: await y.item(), grad: Array.from(await x.grad!.data()) }));
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--reload", "main.ts"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const result = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
    // x@x = [[7,10],[15,22]]: sum 54; d/dx sum(x@x) = 1·xᵀ + xᵀ·1
    assert.deepEqual(result, { y: 54, grad: [7, 11, 9, 13] });
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
