/**
 * The process-wide device, acquired once when lumen is first imported. Acquisition failures are
 * kept and thrown on first use, so code that never touches a tensor (config tools) still runs.
 */
import type { Device, MemoryInfo } from "./device.ts";
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
 * import { memory } from "./mod.ts";
 * const { liveBytes, pooledBytes } = memory();
 * console.log(liveBytes >= 0, pooledBytes >= 0);
 * ```
 */
export function memory(): MemoryInfo {
  return getDevice().memory();
}
