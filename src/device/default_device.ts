/**
 * The process-wide device, acquired once when lumen is first imported. Acquisition failures are
 * kept and thrown on first use, so code that never touches a tensor (config tools) still runs.
 */
import type { Device, DeviceInfo, DeviceStats, MemoryInfo } from "./device.ts";
import { acquireGpu } from "./webgpu/acquire.ts";
import { WebGpuDevice } from "./webgpu/webgpu_device.ts";

let current: Device | null = null;
let failure: Error | null = null;
try {
  const { device, info } = await acquireGpu();
  current = new WebGpuDevice(device, info);
} catch (e) {
  failure = e instanceof Error ? e : new Error(String(e));
}

/** The device every tensor lives on; throws the acquisition error when there is none. */
export function getDevice(): Device {
  if (current) return current;
  throw failure ?? new Error("No device");
}

/**
 * Live and pooled device memory in bytes.
 *
 * @example
 * ```ts
 * import { memory } from "lumen";
 * const { liveBytes, pooledBytes } = memory();
 * console.log(liveBytes >= 0, pooledBytes >= 0);
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
 * console.log(await y.data()); // Float32Array [3, 6]
 * ```
 */
export function flush(): void {
  getDevice().flush();
}
