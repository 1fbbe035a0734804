/**
 * GPU time per kernel from WebGPU timestamp queries, for `profiler: simple`: while on, every
 * dispatch gets a compute pass of its own whose beginning and end write timestamps; before each
 * submit the used queries are resolved and copied to a mappable buffer, read after the submit
 * without anyone waiting, and summed by kernel name. Off (the default) it costs nothing.
 */

/** Dispatches timed per query set (two timestamps each); a full set makes the device submit. */
const CAPACITY = 512;

import type { KernelTime } from "../device.ts";

/** One query set being filled, with the kernel name of each dispatch in it. */
interface Batch {
  set: GPUQuerySet;
  names: string[];
}

/** Times dispatches with timestamp queries (see the module doc). */
export class KernelTimer {
  #batch: Batch | null = null;
  #reads: Promise<void>[] = [];
  #totals = new Map<string, { calls: number; gpuMs: number }>();

  /** `timestamps`: whether the adapter has timestamp queries (else dispatches are only counted). */
  constructor(readonly gpu: GPUDevice, readonly timestamps: boolean) {}

  /**
   * Counts a dispatch of `key` and returns the pass descriptor that times it, undefined when the
   * adapter has no timestamps, or null when the query set is full (submit, then ask again).
   */
  next(key: string): GPUComputePassDescriptor | undefined | null {
    const name = key.split("|")[0];
    if (!this.timestamps) {
      this.#count(name);
      return undefined;
    }
    this.#batch ??= {
      set: this.gpu.createQuerySet({ type: "timestamp", count: 2 * CAPACITY }),
      names: [],
    };
    const b = this.#batch;
    if (b.names.length === CAPACITY) return null;
    const i = b.names.length;
    b.names.push(name);
    this.#count(name);
    return {
      timestampWrites: {
        querySet: b.set,
        beginningOfPassWriteIndex: 2 * i,
        endOfPassWriteIndex: 2 * i + 1,
      },
    };
  }

  #count(name: string): void {
    const entry = this.#totals.get(name) ?? { calls: 0, gpuMs: this.timestamps ? 0 : NaN };
    entry.calls++;
    this.#totals.set(name, entry);
  }

  /** Forgets the batch of an encoder that will never be submitted (after a device error). */
  drop(): void {
    this.#batch?.set.destroy();
    this.#batch = null;
  }

  /** Before a submit: resolves this batch's timestamps into `encoder`; returns what to read. */
  resolve(encoder: GPUCommandEncoder): (() => void) | null {
    const b = this.#batch;
    this.#batch = null;
    if (!b || b.names.length === 0) {
      b?.set.destroy();
      return null;
    }
    const bytes = b.names.length * 16;
    const resolved = this.gpu.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const readable = this.gpu.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.resolveQuerySet(b.set, 0, 2 * b.names.length, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, readable, 0, bytes);
    // Called after the submit: the read resolves on its own; totals() waits for it.
    return () => {
      this.#reads.push(
        readable.mapAsync(GPUMapMode.READ).then(() => {
          const t = new BigUint64Array(readable.getMappedRange().slice(0));
          b.names.forEach((name, i) => {
            const entry = this.#totals.get(name)!;
            // Nanoseconds; a pass whose end reads before its beginning (a reset clock) counts 0.
            entry.gpuMs += Math.max(0, Number(t[2 * i + 1] - t[2 * i])) / 1e6;
          });
          readable.unmap();
        }).finally(() => {
          readable.destroy();
          resolved.destroy();
          b.set.destroy();
        }),
      );
    };
  }

  /** Waits for the reads under way; the totals by kernel, slowest first. */
  async totals(): Promise<KernelTime[]> {
    const reads = this.#reads.splice(0);
    await Promise.all(reads);
    return [...this.#totals].map(([name, v]) => ({ name, ...v }))
      .sort((a, b) => (b.gpuMs - a.gpuMs) || (b.calls - a.calls) || a.name.localeCompare(b.name));
  }
}
