import type { KernelSpec } from "../device.ts";

/** Pipelines kept by default: far more than a training step uses, few enough to bound memory. */
export const PIPELINE_CACHE_SIZE = 256;

/** A cached pipeline and when it was last used. */
interface Entry {
  pipeline: GPUComputePipeline;
  used: number;
}

/**
 * Compiled pipelines by kernel key, at most `capacity` of them: compiling one more evicts the
 * least recently used. WGSL compile errors are kept with the kernel's key.
 */
export class PipelineCache {
  #entries = new Map<string, Entry>();
  #clock = 0;
  #compiled = 0;
  /** Errors reported asynchronously by the driver, thrown at the next read. */
  readonly errors: string[] = [];

  constructor(readonly device: GPUDevice, readonly capacity: number = PIPELINE_CACHE_SIZE) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`PipelineCache capacity must be an integer >= 1, got ${capacity}`);
    }
  }

  /** Pipelines cached now (at most `capacity`). */
  get size(): number {
    return this.#entries.size;
  }

  /** Pipelines compiled since the cache was made; an evicted key compiled again counts again. */
  get compiled(): number {
    return this.#compiled;
  }

  /** Whether `key` is cached now (does not count as a use). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  get(kernel: KernelSpec): GPUComputePipeline {
    const hit = this.#entries.get(kernel.key);
    if (hit) {
      hit.used = ++this.#clock;
      return hit.pipeline;
    }
    const code = kernel.source();
    if (Deno.env.get("LUMEN_DEBUG") === "2") console.error(`[lumen] kernel ${kernel.key}\n${code}`);
    this.device.pushErrorScope("validation");
    const module = this.device.createShaderModule({ code, label: kernel.key });
    const pipeline = this.device.createComputePipeline({
      layout: "auto",
      compute: { module, entryPoint: "main" },
      label: kernel.key,
    });
    this.device.popErrorScope().then((err) => {
      if (err) {
        this.errors.push(`kernel "${kernel.key}" failed to compile: ${err.message}\n${code}`);
      }
    });
    this.#compiled++;
    if (this.#entries.size >= this.capacity) this.#evict();
    this.#entries.set(kernel.key, { pipeline, used: ++this.#clock });
    return pipeline;
  }

  /** Drops the least recently used pipeline (a scan, paid only when compiling into a full cache). */
  #evict(): void {
    let oldest: string | null = null, at = Infinity;
    for (const [key, e] of this.#entries) {
      if (e.used < at) [oldest, at] = [key, e.used];
    }
    if (oldest !== null) this.#entries.delete(oldest);
  }
}
