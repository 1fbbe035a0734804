/**
 * Device memory for the batch-size finder: what counts as running out of it, what a trial used,
 * and emptying the buffer pool between trials (Lightning's `garbage_collection_cuda`).
 *
 * @module
 */
import { getDevice } from "../device/default_device.ts";

/**
 * Whether `error` means the device ran out of memory: a WebGPU out-of-memory error, or a buffer
 * larger than the adapter's largest storage binding (`deviceInfo().maxBindingBytes`).
 */
export function isOutOfMemory(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== "object") return false;
  if (e.name === "GPUOutOfMemoryError") return true;
  const message = typeof e.message === "string" ? e.message : "";
  return /out of memory|out-of-memory/i.test(message) ||
    message.includes("exceeds this adapter's largest binding");
}

/** Bytes the device holds: live buffers and the pool's free ones (the high-water mark of a trial). */
export function deviceBytes(): number {
  const m = getDevice().memory();
  return m.liveBytes + m.pooledBytes;
}

/** Submits the recorded work and frees the pooled buffers. */
export function emptyCache(): void {
  getDevice().emptyCache();
}
