import assert from "node:assert/strict";
import { ready } from "../../mod.ts";
import { guardGlExit } from "../../src/device/webgpu/gl_exit_guard.ts";

const root = new URL("../../", import.meta.url);
const guardModule = new URL("src/device/webgpu/gl_exit_guard.ts", root);

/** Runs deno with `args` on `source` written to a temporary `name`; its stdout. */
async function denoOn(name: string, source: string, args: string[]): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/${name}`;
    await Deno.writeTextFile(file, source);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [...args, file],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const probe = `import { ready } from "${new URL("mod.ts", root)}";
import { guardGlExit } from "${guardModule}";
await ready();
console.log("guard:", guardGlExit());`;

Deno.test("a test run (GPU off the main thread) has its exit guarded once, when libEGL is loaded", async () => {
  await ready();
  const egl = Deno.readTextFileSync("/proc/self/maps").includes("/libEGL.so.1");
  // acquiring the device registered the exit handler; this module's call finds it registered
  assert.equal(guardGlExit(), egl ? "already registered" : "not needed: libEGL is not loaded");
  assert.equal(Deno.env.get("LUMEN_GL_EXIT_GUARD"), egl ? String(Deno.pid) : undefined);
});

Deno.test("deno run uses the GPU on the main thread: no exit handler", async () => {
  const out = await denoOn("probe.ts", probe, ["run", "-A"]);
  assert.match(
    out,
    /^guard: not needed: (the GPU is used on the main thread|libEGL is not loaded)$/m,
  );
});

Deno.test("without FFI permission the guard stands aside", async () => {
  const test = `import { ready } from "${new URL("mod.ts", root)}";
import { guardGlExit } from "${guardModule}";
Deno.test("probe", async () => {
  await ready();
  console.log("guard:", guardGlExit());
});`;
  const out = await denoOn("probe_test.ts", test, [
    "test",
    "--no-check",
    "--allow-read",
    "--allow-env",
  ]);
  assert.match(out, /guard: unavailable: no FFI or env permission/);
});
