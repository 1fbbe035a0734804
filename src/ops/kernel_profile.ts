/** Per-kernel dispatch counts and GPU times, for the Trainer's `profiler: simple`. */
import { getDevice } from "../device/default_device.ts";
import type { KernelTime } from "../device/device.ts";

export type { KernelTime };

/** Starts (true) or stops timing every dispatch by kernel (see `Device.profileKernels`). */
export function profileKernels(on: boolean): void {
  getDevice().profileKernels(on);
}

/** Per kernel, dispatches and GPU milliseconds since profiling started (NaN without timestamps). */
export function kernelTimes(): Promise<KernelTime[]> {
  return getDevice().kernelTimes();
}

/** Whether the adapter's timestamps give GPU times (else the kernel table has counts only). */
export function hasGpuTimestamps(): boolean {
  return getDevice().info.timestampQuery;
}
