/**
 * The device seam: everything above this file (tensors, autograd, nn) talks to a `Device` through
 * opaque buffer handles and kernel specs, never to a `GPUBuffer`, so another backend can plug in.
 *
 * @module
 */
import type { KernelSpec } from "../../kernels/kernel_spec.ts";

export type { KernelSpec };

/** An opaque handle to device memory. Tensors hold these; only the device looks inside. */
export interface DeviceBuffer {
  /** Bytes usable by the caller (the allocation may be larger: pools round sizes up). */
  readonly bytes: number;
  /** A unique id, for debugging and memory accounting. */
  readonly id: number;
}

/** Live and pooled bytes on the device, as reported by `lumen.memory()`. */
export interface MemoryInfo {
  /** Bytes held by live buffers (tensors, optimizer state). */
  liveBytes: number;
  /** Bytes held by the pool, free for reuse. */
  pooledBytes: number;
  /** Number of live buffers. */
  liveBuffers: number;
  /** Number of `GPUBuffer` objects ever created; flat in a steady training loop. */
  allocations: number;
}

/** Counters of the work a device has done, to check batching and caching. */
export interface DeviceStats {
  /** Kernel dispatches recorded. */
  dispatches: number;
  /** Command buffers submitted to the queue. */
  submits: number;
  /** Pipelines compiled, re-compiles after a cache eviction included; flat in a steady loop. */
  pipelines: number;
}

/** A kernel's dispatch count and GPU time while kernel profiling was on (`profileKernels`). */
export interface KernelTime {
  /** The kernel's name: its cache key up to the first `|` (e.g. `matmul`, `optim`). */
  name: string;
  /** Dispatches recorded. */
  calls: number;
  /** Summed GPU milliseconds from timestamp queries; NaN where the adapter has none. */
  gpuMs: number;
}

/** What the adapter is and what it can do. */
export interface DeviceInfo {
  /** The adapter's description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  description: string;
  /** The backend, when known ("vulkan", "gl", ...). */
  backend: string;
  /** Whether `shader-f16` is available. */
  shaderF16: boolean;
  /** Whether timestamp queries are available. */
  timestampQuery: boolean;
  /** Largest storage binding in bytes. */
  maxBindingBytes: number;
  /** Largest workgroup count per dimension. */
  maxWorkgroupsPerDimension: number;
  /** Largest number of invocations in one workgroup. */
  maxInvocationsPerWorkgroup: number;
  /** Most storage buffers one shader stage may bind (`maxStorageBuffersPerShaderStage`). */
  maxStorageBuffersPerStage: number;
}

/** The operations a backend provides. Dispatches are recorded and submitted at `flush()`. */
export interface Device {
  /** Adapter facts. */
  readonly info: DeviceInfo;
  /** A buffer of at least `bytes` bytes, contents undefined. */
  alloc(bytes: number): DeviceBuffer;
  /** A buffer holding a copy of `data`. */
  upload(data: Float32Array | Int32Array | Uint32Array): DeviceBuffer;
  /** Gives a buffer back; it is reused by later allocations. */
  release(buffer: DeviceBuffer): void;
  /** Records one dispatch. `buffers` bind in order to bindings 0..n-1. */
  run(kernel: KernelSpec, buffers: readonly DeviceBuffer[]): void;
  /**
   * Copies `bytes` bytes of `src` (from byte `srcOffset`) into `dst` (at byte `dstOffset`),
   * ordered with the dispatches. Offsets and sizes are multiples of 4.
   */
  copy(
    src: DeviceBuffer,
    dst: DeviceBuffer,
    bytes: number,
    srcOffset?: number,
    dstOffset?: number,
  ): void;
  /** Submits the recorded work. */
  flush(): void;
  /** Reads `bytes` bytes back, after everything recorded so far. */
  read(buffer: DeviceBuffer, bytes: number): Promise<ArrayBuffer>;
  /** Current memory accounting. */
  memory(): MemoryInfo;
  /** Submits the recorded work, then frees every pooled buffer (torch's `empty_cache`). */
  emptyCache(): void;
  /** Work counters. */
  stats(): DeviceStats;
  /**
   * Starts (true) or stops timing every dispatch by kernel: GPU time from timestamp queries
   * where the adapter has them (each dispatch then gets a compute pass of its own), else counts.
   */
  profileKernels(on: boolean): void;
  /** The per-kernel counts and GPU times since profiling started, after the timings under way. */
  kernelTimes(): Promise<KernelTime[]>;
}
