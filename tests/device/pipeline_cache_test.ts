import assert from "node:assert/strict";
import { deviceStats } from "../../mod.ts";
import { getDevice } from "../../src/device/default_device.ts";
import type { KernelSpec } from "../../src/device/device.ts";
import { PIPELINE_CACHE_SIZE, PipelineCache } from "../../src/device/webgpu/pipeline_cache.ts";
import type { WebGpuDevice } from "../../src/device/webgpu/webgpu_device.ts";

/** A trivial kernel whose WGSL differs by `k` (so each key is its own pipeline). */
function kernel(k: number): KernelSpec {
  return {
    key: `test-lru-${k}`,
    workgroups: [1, 1, 1],
    source: () =>
      `@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(1) fn main() { out[0] = ${k}u; }`,
  };
}

Deno.test("the pipeline cache keeps the most recently used pipelines and evicts the oldest", () => {
  const gpu = (getDevice() as WebGpuDevice).gpu;
  const cache = new PipelineCache(gpu, 2);
  const a = cache.get(kernel(1));
  cache.get(kernel(2));
  assert.equal(cache.get(kernel(1)), a, "a hit returns the cached pipeline");
  assert.equal(cache.compiled, 2);
  cache.get(kernel(3)); // full: evicts kernel 2, the least recently used
  assert.equal(cache.size, 2);
  assert.equal(cache.compiled, 3);
  assert.ok(cache.has("test-lru-1") && cache.has("test-lru-3") && !cache.has("test-lru-2"));
  assert.equal(cache.get(kernel(1)), a, "kernel 1 was used recently and stayed");
  cache.get(kernel(2)); // compiled again, now evicting kernel 3
  assert.equal(cache.compiled, 4);
  assert.ok(cache.has("test-lru-2") && !cache.has("test-lru-3"));
});

Deno.test("the pipeline cache holds 256 pipelines by default and refuses a bad capacity", () => {
  const gpu = (getDevice() as WebGpuDevice).gpu;
  assert.equal(PIPELINE_CACHE_SIZE, 256);
  const cache = new PipelineCache(gpu);
  for (let k = 0; k < 300; k++) cache.get(kernel(1000 + k));
  assert.equal(cache.size, 256);
  assert.equal(cache.compiled, 300);
  assert.ok(!cache.has("test-lru-1000") && cache.has("test-lru-1299"));
  assert.throws(
    () => new PipelineCache(gpu, 0),
    /PipelineCache capacity must be an integer >= 1, got 0/,
  );
});

Deno.test("deviceStats().pipelines counts compiles, past the cache's capacity", async () => {
  const device = getDevice();
  const out = device.alloc(4);
  const before = deviceStats().pipelines;
  // 264 kernels no other test builds: each compiles once; the cache keeps 256 of them.
  for (let k = 0; k < 264; k++) device.run(kernel(5000 + k), [out]);
  const word = new Uint32Array(await device.read(out, 4));
  assert.equal(word[0], 5263, "the last kernel ran last");
  assert.equal(deviceStats().pipelines - before, 264);
  device.release(out);
});
