/**
 * The errors the WebGPU device raises for work that went wrong on the device, each naming what
 * caused it: the op and its kernel for a validation error, the sizes for an out-of-memory one.
 *
 * @module
 */

/**
 * A WebGPU validation error, raised at the next sync point (dispatch, flush or read) after the
 * driver reported it, with the op and the kernel that caused it in the message.
 */
export class DeviceValidationError extends Error {
  /** Always "DeviceValidationError". */
  override name = "DeviceValidationError";
}

/**
 * The device could not hold a new buffer: over the memory budget even after the pool was
 * freed, or the driver reported out of memory. The message has "out of memory" and the sizes.
 */
export class DeviceOutOfMemoryError extends Error {
  /** Always "DeviceOutOfMemoryError". */
  override name = "DeviceOutOfMemoryError";
}

/** The op a kernel key names: its text before the first `|` ("ce_fwd|..." is op "ce_fwd"). */
export function opName(key: string): string {
  const bar = key.indexOf("|");
  return bar < 0 ? key : key.slice(0, bar);
}

/** `op "matmul" (kernel "matmul|...")`, for messages; long keys are cut to 200 characters. */
export function describeKernel(key: string): string {
  const shown = key.length > 200 ? `${key.slice(0, 200)}...` : key;
  return `op "${opName(key)}" (kernel "${shown}")`;
}
