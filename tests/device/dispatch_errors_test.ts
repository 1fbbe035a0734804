import assert from "node:assert/strict";
import { deviceInfo, deviceStats, tensor } from "../../mod.ts";
import { getDevice } from "../../src/device/default_device.ts";
import type { KernelSpec } from "../../src/device/device.ts";
import { DeviceValidationError } from "../../src/device/webgpu/errors.ts";

/** A kernel whose WGSL declares two buffers: run with one, its bind group is invalid. */
const twoBindings: KernelSpec = {
  key: "test_two_bindings|a=b",
  workgroups: [1, 1, 1],
  source: () =>
    `@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(1) fn main() { a[0] = b[0]; }`,
};

/** A kernel that writes 7 into its one buffer, over `groups` workgroups along x. */
function writeSeven(groups: number): KernelSpec {
  return {
    key: `test_write_seven|${groups}`,
    workgroups: [groups, 1, 1],
    source: () =>
      `@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1) fn main() { out[0] = 7.0; }`,
  };
}

/** Lets the event loop run, so the error scopes of the work recorded so far report. */
const turn = () => new Promise((resolve) => setTimeout(resolve, 20));

Deno.test("a dispatch with a wrong binding fails at the next read, naming its op and kernel", async () => {
  const device = getDevice();
  const out = device.alloc(16);
  const before = deviceStats().dispatches;
  device.run(twoBindings, [out]); // recorded: nothing waits for the GPU here
  const y = tensor([1, 2]).add(1); // unrelated work recorded after it
  await assert.rejects(
    () => y.data(),
    (e: Error) => {
      assert.ok(e instanceof DeviceValidationError, String(e));
      assert.match(
        e.message,
        new RegExp(
          `^WebGPU validation error in op "test_two_bindings" \\(kernel "test_two_bindings\\|a=b"\\), ` +
            `dispatch #${before + 1}: .*bind`,
          "s",
        ),
      );
      assert.match(e.message, /Number of bindings in bind group descriptor \(1\)/);
      return true;
    },
  );
  device.release(out);
  // The failed submit is behind us: later work runs and reads back right.
  assert.deepEqual(Array.from(await tensor([1, 2]).mul(3).data()), [3, 6]);
});

Deno.test("the error is raised by the next op once the driver has reported it, not at a later read", async () => {
  const device = getDevice();
  const out = device.alloc(16);
  device.run(twoBindings, [out]);
  device.flush();
  await turn();
  // The next op is the sync point: it throws the earlier op's error instead of recording itself.
  assert.throws(
    () => tensor([5]).add(1),
    /in op "test_two_bindings" \(kernel "test_two_bindings\|a=b"\)/,
  );
  // Raised once: the op after it works, and so does a read.
  const z = tensor([5]).add(1);
  assert.deepEqual(Array.from(await z.data()), [6]);
  device.release(out);
});

Deno.test("a workgroup count over the adapter's limit is refused at the op, before recording", async () => {
  const device = getDevice();
  const most = deviceInfo().maxWorkgroupsPerDimension;
  const out = device.alloc(16);
  const before = deviceStats().dispatches;
  assert.throws(
    () => device.run(writeSeven(most + 1), [out]),
    (e: Error) => {
      assert.ok(e instanceof RangeError);
      assert.equal(
        e.message,
        `op "test_write_seven" (kernel "test_write_seven|${most + 1}"): ${
          most + 1
        }x1x1 workgroups exceed this adapter's limit of ${most} per dimension ` +
          "(maxComputeWorkgroupsPerDimension)",
      );
      return true;
    },
  );
  assert.equal(deviceStats().dispatches, before, "nothing was recorded");
  device.run(writeSeven(1), [out]);
  assert.deepEqual(Array.from(new Float32Array(await device.read(out, 4))), [7]);
  device.release(out);
});

Deno.test("an error found at submit names the ops of that submit", async () => {
  const device = getDevice();
  const a = device.upload(new Float32Array([1, 2, 3, 4]));
  const b = device.alloc(16);
  device.run(writeSeven(1), [b]);
  device.copy(a, b, 6); // 6 bytes: copies must be multiples of 4, which the submit rejects
  await assert.rejects(
    () => device.read(b, 16),
    (e: Error) => {
      assert.ok(e instanceof DeviceValidationError, String(e));
      assert.match(
        e.message,
        /^WebGPU validation error in a submit of 3 ops \("test_write_seven", copy ×2\): Copy size 6 .*COPY_BUFFER_ALIGNMENT/s,
      );
      return true;
    },
  );
  device.copy(a, b, 16);
  assert.deepEqual(Array.from(new Float32Array(await device.read(b, 16))), [1, 2, 3, 4]);
  device.release(a);
  device.release(b);
});
