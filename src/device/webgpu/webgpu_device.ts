import type {
  Device,
  DeviceBuffer,
  DeviceInfo,
  DeviceStats,
  KernelSpec,
  MemoryInfo,
} from "../device.ts";
import { BufferPool } from "./buffer_pool.ts";
import { PipelineCache } from "./pipeline_cache.ts";
import { ParamsArena } from "./params_arena.ts";

const STORAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST
const STAGING = 0x01 | 0x08; // MAP_READ | COPY_DST
/** Dispatches recorded before an automatic submit, so the GPU starts on long op chains. */
const MAX_PENDING_DISPATCHES = 512;

class GpuHandle implements DeviceBuffer {
  constructor(readonly id: number, readonly bytes: number, readonly gpu: GPUBuffer) {}
}

/** The WebGPU implementation of the device seam: pooled buffers, cached pipelines, batched submits. */
export class WebGpuDevice implements Device {
  #storage: BufferPool;
  #staging: BufferPool;
  #pipelines: PipelineCache;
  #params: ParamsArena;
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #pending = 0;
  #nextId = 1;
  #liveBytes = 0;
  #liveBuffers = 0;
  #lost: string | null = null;
  #dispatches = 0;
  #submits = 0;

  constructor(readonly gpu: GPUDevice, readonly info: DeviceInfo) {
    this.#storage = new BufferPool(gpu, STORAGE);
    this.#staging = new BufferPool(gpu, STAGING);
    this.#pipelines = new PipelineCache(gpu);
    const align = gpu.limits?.minStorageBufferOffsetAlignment ?? 256;
    this.#params = new ParamsArena(gpu, MAX_PENDING_DISPATCHES, align);
    gpu.lost?.then((info) => {
      this.#lost = `${info.reason ?? "unknown"}: ${info.message}`;
      if (info.reason !== "destroyed") console.error(`[lumen] GPU device lost (${this.#lost})`);
    });
  }

  #check(): void {
    if (this.#lost) throw new Error(`The GPU device was lost (${this.#lost}); restart the process`);
  }

  #handle(bytes: number, forWrite: boolean): GpuHandle {
    this.#check();
    if (bytes > this.info.maxBindingBytes) {
      throw new RangeError(
        `A buffer of ${bytes} bytes exceeds this adapter's largest binding (${this.info.maxBindingBytes} bytes)`,
      );
    }
    const gpu = this.#storage.acquire(Math.max(bytes, 4), forWrite);
    this.#liveBytes += gpu.size;
    this.#liveBuffers++;
    return new GpuHandle(this.#nextId++, bytes, gpu);
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
      this.#encoder ??= this.gpu.createCommandEncoder();
      this.#pass = this.#encoder.beginComputePass();
    }
    return this.#pass;
  }

  run(kernel: KernelSpec, buffers: readonly DeviceBuffer[]): void {
    this.#check();
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
    const bindGroup = this.gpu.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = this.#computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y, z] = kernel.workgroups;
    if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
    this.#dispatches++;
    if (params) this.release(params);
    if (++this.#pending >= MAX_PENDING_DISPATCHES) this.flush();
  }

  copy(src: DeviceBuffer, dst: DeviceBuffer, bytes: number, srcOffset = 0, dstOffset = 0): void {
    this.#check();
    if (bytes === 0) return;
    this.#endPass();
    this.#encoder ??= this.gpu.createCommandEncoder();
    this.#encoder.copyBufferToBuffer(
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
    this.#endPass();
    if (this.#encoder) {
      this.#params.upload(this.gpu.queue);
      this.gpu.queue.submit([this.#encoder.finish()]);
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
    this.#encoder ??= this.gpu.createCommandEncoder();
    this.#encoder.copyBufferToBuffer((buffer as GpuHandle).gpu, 0, staging, 0, size);
    this.flush();
    await staging.mapAsync(GPUMapMode.READ, 0, size);
    const out = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    this.#staging.release(staging);
    this.#throwCompileErrors();
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
