import assert from "node:assert/strict";
import { deviceInfo, deviceStats, tensor } from "../../mod.ts";
import { bucketSize } from "../../src/device/webgpu/buffer_pool.ts";

Deno.test("a chain of ops is recorded and submitted once, at the read", async () => {
  const x = tensor([1, 2, 3]);
  await x.data();
  const before = deviceStats();
  let y = x;
  for (let i = 0; i < 50; i++) y = y.add(1);
  assert.deepEqual(Array.from(await y.data()), [51, 52, 53]);
  const after = deviceStats();
  assert.equal(after.dispatches - before.dispatches, 50);
  assert.equal(after.submits - before.submits, 1);
  // 50 adds of the same shape share one pipeline
  assert.ok(after.pipelines - before.pipelines <= 1);
});

Deno.test("the adapter is described and its limits are known", () => {
  const info = deviceInfo();
  assert.ok(info.description.length > 0);
  assert.ok(info.maxBindingBytes >= 128 * 1024 * 1024);
  assert.ok(info.maxWorkgroupsPerDimension >= 65535);
  assert.equal(typeof info.shaderF16, "boolean");
});

Deno.test("buffer sizes round up to buckets", () => {
  assert.equal(bucketSize(1), 256);
  assert.equal(bucketSize(256), 256);
  assert.equal(bucketSize(257), 320);
  assert.equal(bucketSize(1000), 1024);
  assert.equal(bucketSize(1025), 1280);
  assert.ok(bucketSize(3_000_000) >= 3_000_000 && bucketSize(3_000_000) < 3_000_000 * 1.13);
});

Deno.test("a tensor over the adapter's binding limit is refused with the sizes", () => {
  const limit = deviceInfo().maxBindingBytes;
  assert.throws(
    () => tensor(new Float32Array(1), { shape: [1] }).expand([limit / 4 + 1]),
    new RegExp(`exceeds this adapter's largest binding \\(${limit} bytes\\)`),
  );
});

Deno.test("no adapter: a clear error that says what to install", async () => {
  const script = `import { tensor } from "${new URL("../../mod.ts", import.meta.url)}";
try { tensor([1]); } catch (e) { console.log(e.name + ": " + e.message); }`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    env: { DENO_WEBGPU_BACKEND: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.match(text, /NoAdapterError: No WebGPU adapter was found \(DENO_WEBGPU_BACKEND=""\)/);
  assert.match(text, /apt-get install mesa-vulkan-drivers/);
});

Deno.test("a lost device is reported and later work fails with the reason", async () => {
  const root = new URL("../../", import.meta.url);
  const script = `import { tensor } from "${new URL("mod.ts", root)}";
import { getDevice } from "${new URL("src/device/default_device.ts", root)}";
import type { WebGpuDevice } from "${new URL("src/device/webgpu/webgpu_device.ts", root)}";
const gpu = (getDevice() as WebGpuDevice).gpu;
gpu.destroy();
await gpu.lost;
try { tensor([1]).add(1); } catch (e) { console.log((e as Error).message); }`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.match(text, /The GPU device was lost \(destroyed: .*\); restart the process/);
});
