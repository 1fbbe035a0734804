/** Which kind of adapter the kernels run on, for ops that pick a kernel per adapter. */
import { getDevice } from "../device/default_device.ts";
import { isRealGpu } from "../../kernels/adapter.ts";

/** Whether the device is a real GPU (not llvmpipe, lavapipe or SwiftShader). */
export function onRealGpu(): boolean {
  return isRealGpu(getDevice().info.description);
}

/** The largest buffer one binding may hold on this device, in bytes. */
export function maxBindingBytes(): number {
  return getDevice().info.maxBindingBytes;
}
