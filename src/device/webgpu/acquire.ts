import type { DeviceInfo } from "../device.ts";
import { guardGlExit } from "./gl_exit_guard.ts";

/** Thrown when no WebGPU adapter or device can be had; the message says what to install. */
export class NoAdapterError extends Error {
  /** Always "NoAdapterError". */
  override name = "NoAdapterError";
}

const INSTALL_HINT =
  "lumen needs a WebGPU adapter. On a machine without a GPU install Mesa's software drivers " +
  "(Debian/Ubuntu: `apt-get install mesa-vulkan-drivers`), or try `DENO_WEBGPU_BACKEND=gl`; " +
  "an empty DENO_WEBGPU_BACKEND disables every backend";

/** A device together with the facts lumen needs about its adapter. */
export interface AcquiredDevice {
  device: GPUDevice;
  info: DeviceInfo;
}

/**
 * Mesa's Vulkan loader prints "XDG_RUNTIME_DIR is invalid or not set" on every start without
 * one: give the process a private runtime dir when it has none (needs env and write access).
 */
function ensureRuntimeDir(): void {
  try {
    const dir = Deno.env.get("XDG_RUNTIME_DIR");
    if (dir && Deno.statSync(dir).isDirectory) return;
    Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync({ prefix: "lumen-xdg-" }));
  } catch {
    // Without permissions the warning stays; nothing else depends on it.
  }
}

/**
 * Requests an adapter and a device with the adapter's largest limits and shader-f16 if offered,
 * and guards the process's exit where the GL backend needs it (see gl_exit_guard.ts).
 */
export async function acquireGpu(): Promise<AcquiredDevice> {
  ensureRuntimeDir();
  if (typeof navigator === "undefined" || !("gpu" in navigator) || !navigator.gpu) {
    throw new NoAdapterError(`navigator.gpu is missing in this runtime. ${INSTALL_HINT}`);
  }
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    const backend = Deno.env.get("DENO_WEBGPU_BACKEND");
    const which = backend === undefined ? "" : ` (DENO_WEBGPU_BACKEND=${JSON.stringify(backend)})`;
    throw new NoAdapterError(`No WebGPU adapter was found${which}. ${INSTALL_HINT}`);
  }
  const wanted: GPUFeatureName[] = ["shader-f16", "timestamp-query"];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const l = adapter.limits;
  const requiredLimits: Record<string, number> = {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
  };
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  guardGlExit(); // the GL backend, used off the main thread, could abort the process at exit
  const description = adapter.info?.description || adapter.info?.device || "unknown adapter";
  const backendEnv = Deno.env.get("DENO_WEBGPU_BACKEND") ?? "";
  return {
    device,
    info: {
      description,
      backend: backendEnv || (description.includes("llvmpipe") ? "vulkan-or-gl" : "default"),
      shaderF16: device.features.has("shader-f16"),
      timestampQuery: device.features.has("timestamp-query"),
      maxBindingBytes: device.limits.maxStorageBufferBindingSize,
      maxWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
      maxInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
      maxStorageBuffersPerStage: device.limits.maxStorageBuffersPerShaderStage,
    },
  };
}
