/**
 * The process-wide device. `ready()` acquires it, once; until then `getDevice()` throws. No
 * module under src/ acquires it at import: the root mod.ts awaits `ready()` once for
 * `import ... from "lumen"`, and the runner and the CLI call it where they need the GPU.
 *
 * @module
 */
import type { Device, DeviceInfo, DeviceStats, MemoryInfo } from "./device.ts";
import { acquireGpu } from "./webgpu/acquire.ts";
import { WebGpuDevice } from "./webgpu/webgpu_device.ts";

let current: Device | null = null;
let failure: Error | null = null;
let acquiring: Promise<DeviceInfo> | null = null;

/**
 * Acquires the GPU (a WebGPU adapter and device) and resolves with its facts; idempotent: every
 * call returns the same promise, and a failure (no adapter: a `NoAdapterError` saying what to
 * install) is kept, so later calls and `getDevice()` throw it again. `import ... from "lumen"`
 * has already called it; code that imports lumen's modules one by one calls it before its first
 * tensor.
 *
 * @example
 * ```ts
 * import { ready } from "lumen";
 * const info = await ready();
 * console.log(info === await ready(), info.description.length > 0); // true true
 * ```
 */
export function ready(): Promise<DeviceInfo> {
  acquiring ??= acquireGpu().then(
    ({ device, info }) => {
      current = new WebGpuDevice(device, info);
      return info;
    },
    (e) => {
      failure = e instanceof Error ? e : new Error(String(e));
      throw failure;
    },
  );
  return acquiring;
}

/**
 * The device every tensor lives on. Throws the acquisition error when `ready()` found none, and
 * a message naming `ready()` when it has not been called (or has not finished) yet.
 */
export function getDevice(): Device {
  if (current) return current;
  if (failure) throw failure;
  throw new Error(
    acquiring
      ? "The GPU is still being acquired: await lumen.ready() before using tensors"
      : "No GPU acquired yet: call await lumen.ready() first (importing lumen's mod.ts does; " +
        "code that imports lumen's modules one by one must call ready() itself)",
  );
}

/**
 * Live and pooled device memory in bytes.
 *
 * @example
 * ```ts
 * import { memory } from "lumen";
 * const { liveBytes, pooledBytes } = memory();
 * console.log(liveBytes >= 0, pooledBytes >= 0); // true true
 * ```
 */
export function memory(): MemoryInfo {
  return getDevice().memory();
}

/**
 * Facts about the adapter in use: its description, shader-f16 and timestamp support, limits.
 *
 * @example
 * ```ts
 * import { deviceInfo } from "lumen";
 * console.log(deviceInfo().description); // e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
 * ```
 */
export function deviceInfo(): DeviceInfo {
  return getDevice().info;
}

/**
 * Counters of dispatches, queue submits and compiled pipelines since the process started.
 *
 * @example
 * ```ts
 * import { deviceStats, tensor } from "lumen";
 * const before = deviceStats().submits;
 * await tensor([1, 2]).mul(2).add(1).data();
 * console.log(deviceStats().submits - before); // 1: the read flushes everything at once
 * ```
 */
export function deviceStats(): DeviceStats {
  return getDevice().stats();
}

/**
 * Submits the recorded work now, so the device starts on it while the host prepares the next
 * step (reads flush on their own; optimizers flush at the end of `step()`).
 *
 * @example
 * ```ts
 * import { flush, tensor } from "lumen";
 * const y = tensor([1, 2]).mul(3);
 * flush(); // the multiply runs while the host goes on
 * console.log(await y.data()); // Float32Array(2) [3, 6]
 * ```
 */
export function flush(): void {
  getDevice().flush();
}
