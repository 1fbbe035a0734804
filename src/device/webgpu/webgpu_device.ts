import type {
  Device,
  DeviceBuffer,
  DeviceInfo,
  DeviceStats,
  KernelSpec,
  KernelTime,
  MemoryInfo,
} from "../device.ts";
import { KernelTimer } from "./kernel_timer.ts";
import { bucketSize, BufferPool } from "./buffer_pool.ts";
import { PipelineCache } from "./pipeline_cache.ts";
import { ParamsArena } from "./params_arena.ts";
import { ErrorWatch } from "./error_watch.ts";
import { describeKernel, DeviceOutOfMemoryError } from "./errors.ts";
import {
  budgetFromEnv,
  checkBudget,
  type OutOfMemoryFacts,
  outOfMemoryMessage,
} from "./memory_budget.ts";

const STORAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST
const STAGING = 0x01 | 0x08; // MAP_READ | COPY_DST
/** Dispatches recorded before an automatic submit, so the GPU starts on long op chains. */
const MAX_PENDING_DISPATCHES = 512;

class GpuHandle implements DeviceBuffer {
  constructor(readonly id: number, readonly bytes: number, readonly gpu: GPUBuffer) {}
}

/** Options of a `WebGpuDevice`. */
export interface WebGpuDeviceOptions {
  /** Bytes of buffers (live and pooled) the device may hold; default `LUMEN_MEMORY_BUDGET`, else none. */
  memoryBudget?: number | null;
}

/**
 * The WebGPU implementation of the device seam: pooled buffers, cached pipelines, batched submits.
 * Each dispatch and each submit runs under a WebGPU error scope that nothing waits for: an error
 * is raised at the next sync point (dispatch, flush or read) naming the op and kernel that caused it.
 */
export class WebGpuDevice implements Device {
  #storage: BufferPool;
  #staging: BufferPool;
  #pipelines: PipelineCache;
  #params: ParamsArena;
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  /** Per-kernel timing while `profileKernels(true)`. */
  #timer: KernelTimer | null = null;
  /** The timer of the last profiling period, kept for `kernelTimes()` after it stopped. */
  #lastTimer: KernelTimer | null = null;
  #pending = 0;
  #nextId = 1;
  #liveBytes = 0;
  #liveBuffers = 0;
  #lost: string | null = null;
  #dispatches = 0;
  #submits = 0;
  #watch: ErrorWatch;
  /** The number of the first dispatch recorded into the current encoder. */
  #encoderFirst = 1;
  #budget: number | null;

  constructor(
    readonly gpu: GPUDevice,
    readonly info: DeviceInfo,
    options: WebGpuDeviceOptions = {},
  ) {
    this.#budget = options.memoryBudget === undefined
      ? budgetFromEnv()
      : checkBudget(options.memoryBudget, "WebGpuDevice memoryBudget");
    this.#watch = new ErrorWatch(gpu);
    this.#storage = new BufferPool(gpu, STORAGE);
    this.#staging = new BufferPool(gpu, STAGING);
    this.#storage.onOutOfMemory = this.#staging.onOutOfMemory = (bytes) =>
      this.#driverOutOfMemory(bytes);
    this.#pipelines = new PipelineCache(gpu);
    const align = gpu.limits?.minStorageBufferOffsetAlignment ?? 256;
    this.#params = new ParamsArena(gpu, MAX_PENDING_DISPATCHES, align);
    gpu.lost?.then((info) => {
      this.#lost = `${info.reason ?? "unknown"}: ${info.message}`;
      if (info.reason !== "destroyed") console.error(`[lumen] GPU device lost (${this.#lost})`);
    });
  }

  /** Bytes of buffers (live and pooled) the device may hold, or null for no limit. */
  get memoryBudget(): number | null {
    return this.#budget;
  }

  set memoryBudget(bytes: number | null) {
    this.#budget = checkBudget(bytes, "WebGpuDevice memoryBudget");
  }

  /**
   * A sync point: throws a lost device's reason, a kernel's compile error, or the first error the
   * driver reported since the last one (dropping the recorded work that error made invalid).
   */
  #check(): void {
    if (this.#lost) throw new Error(`The GPU device was lost (${this.#lost}); restart the process`);
    const fault = this.#watch.take();
    const outOfMemory = fault?.error instanceof DeviceOutOfMemoryError;
    if (outOfMemory || (fault?.poisonsEncoder && fault.order >= this.#encoderFirst)) {
      this.#dropEncoder();
    }
    if (outOfMemory) this.#storage.drain();
    this.#throwCompileErrors();
    if (fault) throw fault.error;
  }

  /** Forgets the work recorded since the last submit (its encoder is invalid: nothing of it can run). */
  #dropEncoder(): void {
    this.#timer?.drop();
    this.#pass = null;
    this.#encoder = null;
    this.#pending = 0;
    this.#storage.submitted();
    this.#staging.submitted();
  }

  #handle(bytes: number, forWrite: boolean): GpuHandle {
    this.#check();
    if (bytes > this.info.maxBindingBytes) {
      throw new RangeError(
        `A buffer of ${bytes} bytes exceeds this adapter's largest binding (${this.info.maxBindingBytes} bytes)`,
      );
    }
    const want = Math.max(bytes, 4);
    const gpu = this.#storage.take(want, forWrite) ?? this.#create(want);
    this.#liveBytes += gpu.size;
    this.#liveBuffers++;
    return new GpuHandle(this.#nextId++, bytes, gpu);
  }

  /** A new storage buffer; over the budget, the pool is freed and the allocation retried once. */
  #create(bytes: number): GPUBuffer {
    const size = bucketSize(bytes);
    const budget = this.#budget;
    if (budget !== null && this.#liveBytes + this.#storage.pooledBytes + size > budget) {
      const pooledBytes = this.#storage.pooledBytes;
      this.emptyCache();
      if (this.#liveBytes + size > budget) {
        const facts = { ...this.#memoryFacts(size), pooledBytes, budget };
        throw new DeviceOutOfMemoryError(outOfMemoryMessage(facts, "does not fit the budget"));
      }
    }
    return this.#storage.create(bytes);
  }

  #memoryFacts(requested: number): OutOfMemoryFacts {
    return {
      requested,
      liveBytes: this.#liveBytes,
      liveBuffers: this.#liveBuffers,
      pooledBytes: this.#storage.pooledBytes,
      budget: this.#budget,
      adapter: this.info.description,
    };
  }

  /** The driver could not allocate `bytes`: the buffer is invalid; raise that at the next sync point. */
  #driverOutOfMemory(bytes: number): void {
    const message = outOfMemoryMessage(
      this.#memoryFacts(bytes),
      "could not be allocated by the driver",
    );
    this.#watch.report({
      order: this.#dispatches + 0.25,
      error: new DeviceOutOfMemoryError(message),
      poisonsEncoder: true,
    });
  }

  alloc(bytes: number): DeviceBuffer {
    return this.#handle(bytes, false);
  }

  upload(data: Float32Array | Int32Array | Uint32Array): DeviceBuffer {
    const h = this.#handle(data.byteLength, true);
    if (data.byteLength > 0) {
      this.gpu.queue.writeBuffer(h.gpu, 0, data as Uint32Array<ArrayBuffer>);
    }
    return h;
  }

  release(buffer: DeviceBuffer): void {
    const h = buffer as GpuHandle;
    this.#liveBytes -= h.gpu.size;
    this.#liveBuffers--;
    this.#storage.release(h.gpu);
  }

  #computePass(): GPUComputePassEncoder {
    if (!this.#pass) {
      this.#pass = this.#commandEncoder().beginComputePass();
    }
    return this.#pass;
  }

  #commandEncoder(): GPUCommandEncoder {
    if (!this.#encoder) {
      this.#encoder = this.gpu.createCommandEncoder();
      this.#encoderFirst = this.#dispatches + 1;
    }
    return this.#encoder;
  }

  run(kernel: KernelSpec, buffers: readonly DeviceBuffer[]): void {
    this.#check();
    const [x, y, z] = kernel.workgroups;
    const most = this.info.maxWorkgroupsPerDimension;
    if (x > most || y > most || z > most) {
      throw new RangeError(
        `${describeKernel(kernel.key)}: ${x}x${y}x${z} workgroups exceed this adapter's ` +
          `limit of ${most} per dimension (maxComputeWorkgroupsPerDimension)`,
      );
    }
    const pipeline = this.#pipelines.get(kernel);
    const entries: GPUBindGroupEntry[] = buffers.map((b, i) => ({
      binding: i,
      resource: { buffer: (b as GpuHandle).gpu },
    }));
    let params: GpuHandle | null = null;
    if (kernel.params) {
      // Small params share one buffer written once per submit; larger ones get their own.
      if (!this.#params.fits(kernel.params.byteLength)) this.flush();
      if (this.#params.fits(kernel.params.byteLength)) {
        entries.push({ binding: buffers.length, resource: this.#params.slot(kernel.params) });
      } else {
        params = this.upload(kernel.params) as GpuHandle;
        entries.push({ binding: buffers.length, resource: { buffer: params.gpu } });
      }
    }
    let timed = this.#timer?.next(kernel.key);
    if (timed === null) {
      this.flush();
      timed = this.#timer?.next(kernel.key);
    }
    const order = this.#dispatches + 1;
    this.#watch.openDispatch();
    const bindGroup = this.gpu.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    // A timed dispatch gets a pass of its own, whose timestamps bracket it.
    if (timed) this.#endPass();
    const pass = timed ? this.#commandEncoder().beginComputePass(timed) : this.#computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
    if (timed) pass.end();
    this.#watch.closeDispatch(kernel.key, order);
    this.#dispatches = order;
    if (params) this.release(params);
    if (++this.#pending >= MAX_PENDING_DISPATCHES) this.flush();
  }

  copy(src: DeviceBuffer, dst: DeviceBuffer, bytes: number, srcOffset = 0, dstOffset = 0): void {
    this.#check();
    if (bytes === 0) return;
    this.#endPass();
    this.#watch.noteCopy();
    this.#commandEncoder().copyBufferToBuffer(
      (src as GpuHandle).gpu,
      srcOffset,
      (dst as GpuHandle).gpu,
      dstOffset,
      bytes,
    );
  }

  #endPass(): void {
    if (this.#pass) {
      this.#pass.end();
      this.#pass = null;
    }
  }

  flush(): void {
    this.#check();
    this.#endPass();
    if (this.#encoder) {
      this.#watch.openSubmit();
      this.#params.upload(this.gpu.queue);
      const readTimes = this.#timer?.resolve(this.#encoder);
      this.gpu.queue.submit([this.#encoder.finish()]);
      readTimes?.();
      this.#watch.closeSubmit(this.#dispatches);
      this.#submits++;
      this.#encoder = null;
    }
    this.#pending = 0;
    this.#storage.submitted();
    this.#staging.submitted();
  }

  async read(buffer: DeviceBuffer, bytes: number): Promise<ArrayBuffer> {
    this.#check();
    if (bytes === 0) return new ArrayBuffer(0);
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.#staging.acquire(size, true);
    this.#endPass();
    this.#watch.noteCopy();
    this.#commandEncoder().copyBufferToBuffer((buffer as GpuHandle).gpu, 0, staging, 0, size);
    this.flush();
    let out: ArrayBuffer;
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, size);
      out = staging.getMappedRange(0, size).slice(0, bytes);
      staging.unmap();
    } finally {
      this.#staging.release(staging);
      // The scopes of the work this read waited for have all reported by now: raise their errors.
      await this.#watch.settled();
      this.#check();
    }
    return out;
  }

  #throwCompileErrors(): void {
    const errors = this.#pipelines.errors;
    if (errors.length) {
      const msg = errors.join("\n");
      errors.length = 0;
      throw new Error(msg);
    }
  }

  profileKernels(on: boolean): void {
    if (on === (this.#timer !== null)) return;
    // Submit first, so the timings cover exactly the dispatches recorded while on.
    this.flush();
    if (on) {
      this.#timer = new KernelTimer(this.gpu, this.info.timestampQuery);
      this.#lastTimer = null;
    } else {
      this.#lastTimer = this.#timer;
      this.#timer = null;
    }
  }

  kernelTimes(): Promise<KernelTime[]> {
    const timer = this.#timer ?? this.#lastTimer;
    if (!timer) return Promise.resolve([]);
    this.flush();
    return timer.totals();
  }

  stats(): DeviceStats {
    return {
      dispatches: this.#dispatches,
      submits: this.#submits,
      pipelines: this.#pipelines.compiled,
    };
  }

  emptyCache(): void {
    this.flush();
    this.#storage.drain();
  }

  memory(): MemoryInfo {
    return {
      liveBytes: this.#liveBytes,
      pooledBytes: this.#storage.pooledBytes,
      liveBuffers: this.#liveBuffers,
      allocations: this.#storage.created,
    };
  }
}
