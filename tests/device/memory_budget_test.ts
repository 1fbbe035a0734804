import assert from "node:assert/strict";
import { deviceInfo, memory, tensor } from "../../mod.ts";
import { getDevice } from "../../src/device/default_device.ts";
import { bucketSize, BufferPool } from "../../src/device/webgpu/buffer_pool.ts";
import { DeviceOutOfMemoryError } from "../../src/device/webgpu/errors.ts";
import { parseBudget } from "../../src/device/webgpu/memory_budget.ts";
import { WebGpuDevice } from "../../src/device/webgpu/webgpu_device.ts";
import { isOutOfMemory } from "../../src/tuner/_memory.ts";

const MiB = 2 ** 20;

/** Runs `body` with the process device's budget set to `bytes`, restoring it after. */
async function withBudget<T>(bytes: number | null, body: (d: WebGpuDevice) => Promise<T>) {
  const device = getDevice() as WebGpuDevice;
  const saved = device.memoryBudget;
  device.memoryBudget = bytes;
  try {
    return await body(device);
  } finally {
    device.memoryBudget = saved;
  }
}

Deno.test("over the budget, the pool is freed and the allocation retried: it succeeds", async () => {
  await withBudget(null, async (device) => {
    device.emptyCache();
    // 3 MiB of tensors, disposed: their buffers stay pooled, in 1 MiB buckets.
    for (let i = 0; i < 3; i++) tensor(new Float32Array(MiB / 4)).dispose();
    const { liveBytes, pooledBytes, allocations } = memory();
    assert.equal(pooledBytes, 3 * MiB);
    // 2.5 MiB more fits a budget of live + 3 MiB only once the pool is freed (another bucket).
    device.memoryBudget = liveBytes + 3 * MiB;
    const big = tensor(new Float32Array((2.5 * MiB) / 4).fill(2));
    const after = memory();
    assert.equal(after.pooledBytes, 0, "the pool was freed");
    assert.equal(after.liveBytes, liveBytes + bucketSize(2.5 * MiB));
    assert.equal(after.allocations, allocations + 1);
    assert.deepEqual(Array.from(await big.sum().data()), [2.5 * MiB / 4 * 2]);
    big.dispose();
  });
});

Deno.test("over the budget with too little pooled: a clear out-of-memory error", async () => {
  await withBudget(null, async (device) => {
    device.emptyCache();
    const kept = tensor(new Float32Array(MiB / 4)); // 1 MiB live
    tensor(new Float32Array(MiB / 2 / 4)).dispose(); // 0.5 MiB pooled
    const { liveBytes, liveBuffers } = memory();
    const budget = liveBytes + MiB;
    device.memoryBudget = budget;
    const want = bucketSize(1.5 * MiB);
    assert.throws(
      () => tensor(new Float32Array((1.5 * MiB) / 4)),
      (e: Error) => {
        assert.ok(e instanceof DeviceOutOfMemoryError);
        assert.equal(
          e.message,
          `GPU out of memory: a buffer of ${want} bytes does not fit the budget; ` +
            `live ${liveBytes} bytes in ${liveBuffers} buffers, pooled ${MiB / 2} bytes ` +
            `(freed, then retried once), budget ${budget} bytes (LUMEN_MEMORY_BUDGET), ` +
            `adapter "${deviceInfo().description}". ` +
            "Free tensors (dispose(), tidy()) or use a smaller batch",
        );
        assert.ok(isOutOfMemory(e), "scale_batch_size counts it as out of memory");
        return true;
      },
    );
    assert.equal(memory().pooledBytes, 0);
    // Nothing was lost: the live tensor is still there to use.
    device.memoryBudget = null;
    assert.deepEqual(Array.from(await kept.add(1).sum().data()), [MiB / 4]);
    kept.dispose();
  });
});

Deno.test("a budget is a positive integer number of bytes, or null; LUMEN_MEMORY_BUDGET takes units", () => {
  const device = getDevice() as WebGpuDevice;
  assert.throws(
    () => (device.memoryBudget = -1),
    /WebGpuDevice memoryBudget must be a positive integer number of bytes or null, got -1/,
  );
  assert.equal(device.memoryBudget, null);
  assert.equal(parseBudget("1048576"), MiB);
  assert.equal(parseBudget("512MiB"), 512 * MiB);
  assert.equal(parseBudget("1.5 GiB"), 1.5 * 1024 * MiB);
  assert.equal(parseBudget("64kb"), 64 * 1024);
  assert.throws(
    () => parseBudget("lots"),
    /LUMEN_MEMORY_BUDGET must be a number of bytes, optionally with B, KiB, MiB or GiB \(e\.g\. "512MiB"\), got "lots"/,
  );
});

Deno.test("LUMEN_MEMORY_BUDGET sets the budget of the process device", async () => {
  const root = new URL("../../", import.meta.url);
  const script = `import { ready } from "${new URL("mod.ts", root)}";
import { getDevice } from "${new URL("src/device/default_device.ts", root)}";
await ready();
console.log((getDevice() as unknown as { memoryBudget: number }).memoryBudget);`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    env: { LUMEN_MEMORY_BUDGET: "3MiB", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(out.stdout).trim(), String(3 * MiB));
});

/** A device whose out-of-memory scopes report an error while `fail` is set, like a full GPU. */
function failingAllocations(gpu: GPUDevice): { device: GPUDevice; fail: (on: boolean) => void } {
  let failing = false;
  const filters: GPUErrorFilter[] = [];
  const device = new Proxy(gpu, {
    get(target, name) {
      if (name === "pushErrorScope") {
        return (filter: GPUErrorFilter) => {
          filters.push(filter);
          target.pushErrorScope(filter);
        };
      }
      if (name === "popErrorScope") {
        return () => {
          const filter = filters.pop();
          const real = target.popErrorScope();
          if (filter !== "out-of-memory" || !failing) return real;
          return real.then(() => ({ message: "Not enough memory left" }) as GPUError);
        };
      }
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { device, fail: (on) => (failing = on) };
}

Deno.test("a buffer the driver could not allocate: the pool is freed, the next op says so", async () => {
  const real = (getDevice() as WebGpuDevice).gpu;
  const { device: gpu, fail } = failingAllocations(real);
  const device = new WebGpuDevice(gpu, deviceInfo(), { memoryBudget: null });
  const pooled = device.alloc(4096);
  device.release(pooled);
  assert.equal(device.memory().pooledBytes, 4096);
  fail(true);
  const bad = device.alloc(MiB); // recorded as if it worked: the driver answers later
  fail(false);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.throws(
    () => device.alloc(16),
    (e: Error) => {
      assert.ok(e instanceof DeviceOutOfMemoryError);
      assert.match(
        e.message,
        new RegExp(
          `^GPU out of memory: a buffer of ${MiB} bytes could not be allocated by the driver; ` +
            `live ${MiB} bytes in 1 buffers, pooled 4096 bytes \\(freed, then retried once\\), ` +
            `adapter "`,
        ),
      );
      assert.ok(isOutOfMemory(e));
      return true;
    },
  );
  assert.equal(device.memory().pooledBytes, 0, "the pool was freed");
  device.release(bad);
  const ok = device.upload(new Float32Array([4, 5]));
  assert.deepEqual(Array.from(new Float32Array(await device.read(ok, 8))), [4, 5]);
});

Deno.test("BufferPool.create reports a failed allocation with its bucket size", async () => {
  const { device: gpu, fail } = failingAllocations((getDevice() as WebGpuDevice).gpu);
  const pool = new BufferPool(gpu, 0x80 | 0x08);
  const seen: number[] = [];
  pool.onOutOfMemory = (bytes) => seen.push(bytes);
  pool.create(1000);
  fail(true);
  pool.create(3000);
  fail(false);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(seen, [bucketSize(3000)]);
  assert.equal(pool.created, 2);
  pool.drain();
});
