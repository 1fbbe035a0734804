import type { KernelSpec } from "../device.ts";

/** Compiled pipelines by kernel key; WGSL compile errors are kept with the kernel's key. */
export class PipelineCache {
  #pipelines = new Map<string, GPUComputePipeline>();
  /** Errors reported asynchronously by the driver, thrown at the next read. */
  readonly errors: string[] = [];

  constructor(readonly device: GPUDevice) {}

  get size(): number {
    return this.#pipelines.size;
  }

  get(kernel: KernelSpec): GPUComputePipeline {
    let pipeline = this.#pipelines.get(kernel.key);
    if (pipeline) return pipeline;
    const code = kernel.source();
    if (Deno.env.get("LUMEN_DEBUG") === "2") console.error(`[lumen] kernel ${kernel.key}\n${code}`);
    this.device.pushErrorScope("validation");
    const module = this.device.createShaderModule({ code, label: kernel.key });
    pipeline = this.device.createComputePipeline({
      layout: "auto",
      compute: { module, entryPoint: "main" },
      label: kernel.key,
    });
    this.device.popErrorScope().then((err) => {
      if (err) {
        this.errors.push(`kernel "${kernel.key}" failed to compile: ${err.message}\n${code}`);
      }
    });
    this.#pipelines.set(kernel.key, pipeline);
    return pipeline;
  }
}
