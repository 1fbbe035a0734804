import assert from "node:assert/strict";
import { ready } from "../../mod.ts";

const root = new URL("../../", import.meta.url);

/** Runs a TypeScript snippet in a fresh process; its stdout, stderr and exit code. */
async function evalScript(
  script: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("ready() resolves with the adapter's facts, the same each call", async () => {
  const info = await ready();
  assert.equal(await ready(), info);
  assert.ok(info.description.length > 0);
  assert.ok(info.maxStorageBuffersPerStage >= 8);
});

Deno.test("lumen's modules acquire no GPU at import: getDevice() names ready() until then", async () => {
  const script = `import { tensor } from "${new URL("src/tensor/creation.ts", root)}";
import { ready } from "${new URL("src/device/default_device.ts", root)}";
try { tensor([1]); } catch (e) { console.log("before:", (e as Error).message); }
await ready();
console.log("after:", Array.from(await tensor([1, 2]).mul(3).data()).join(","));`;
  const { code, stdout, stderr } = await evalScript(script);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /before: No GPU acquired yet: call await lumen\.ready\(\) first/);
  assert.match(stdout, /after: 3,6/);
});

Deno.test("ready() without an adapter rejects with NoAdapterError, and keeps it", async () => {
  const script = `import { ready, tensor } from "${new URL("mod.ts", root)}";
for (const attempt of [1, 2]) {
  try { await ready(); } catch (e) { console.log(attempt, (e as Error).name); }
}
try { tensor([1]); } catch (e) { console.log("tensor:", (e as Error).name); }`;
  const { stdout } = await evalScript(script, { DENO_WEBGPU_BACKEND: "" });
  assert.deepEqual(stdout.trim().split("\n"), [
    "1 NoAdapterError",
    "2 NoAdapterError",
    "tensor: NoAdapterError",
  ]);
});

Deno.test("a worker that imports mod.ts (a dataset module may) acquires no GPU", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/worker.js`;
    await Deno.writeTextFile(
      file,
      `import { tensor } from "${new URL("mod.ts", root)}";
let message = "no error";
try { tensor([1]); } catch (e) { message = e.message; }
self.postMessage(message);`,
    );
    const worker = new Worker(new URL(`file://${file}`), { type: "module" });
    const message = await new Promise<string>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<string>) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
    });
    worker.terminate();
    assert.match(message, /call await lumen\.ready\(\) first/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the runner acquires the GPU before resolving: no adapter fails with its error", async () => {
  const script = `import { run } from "${new URL("src/runner/mod.ts", root)}";
try {
  await run("fit", { trainer: { _target_: "lumen.Trainer" }, system: { _target_: "lumen.System", model: {} } });
} catch (e) { console.log((e as Error).name + ": " + (e as Error).message); }`;
  const { stdout } = await evalScript(script, { DENO_WEBGPU_BACKEND: "" });
  assert.match(stdout, /^NoAdapterError: No WebGPU adapter was found/);
});

Deno.test("no module under src/ has a top-level await; kernels/ imports nothing from src/", async () => {
  const lint = await new Deno.Command(Deno.execPath(), {
    args: ["lint", "--rules-tags=", "--rules-include=no-top-level-await", "src/"],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(lint.code, 0, new TextDecoder().decode(lint.stderr));
  const outside: string[] = [];
  for await (const entry of Deno.readDir(new URL("kernels/", root))) {
    if (!entry.name.endsWith(".ts")) continue;
    const text = await Deno.readTextFile(new URL(`kernels/${entry.name}`, root));
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      if (!m[1].startsWith("./") || m[1].includes("/", 2)) outside.push(`${entry.name}: ${m[1]}`);
    }
  }
  assert.deepEqual(outside, []);
});
