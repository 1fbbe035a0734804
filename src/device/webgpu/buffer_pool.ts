/**
 * Size-bucketed pool of GPU buffers. A released buffer is at once reusable as a kernel output
 * (dispatches run in order) but becomes a target for `queue.writeBuffer` only after the next
 * submit: a write lands before the pending command buffer runs, and would clobber what an
 * earlier, not yet submitted dispatch still reads.
 */

/** Rounds a request up to its bucket: steps of a quarter of the power of two below, at least 256 bytes. */
export function bucketSize(bytes: number): number {
  if (bytes <= 256) return 256;
  const pow = 2 ** Math.ceil(Math.log2(bytes));
  const quarter = pow / 8;
  return Math.ceil(bytes / quarter) * quarter;
}

/** Free lists by bucket size, split into buffers safe for writes and those awaiting a submit. */
export class BufferPool {
  #clean = new Map<number, GPUBuffer[]>();
  #dirty = new Map<number, GPUBuffer[]>();
  #pooledBytes = 0;
  created = 0;

  constructor(readonly device: GPUDevice, readonly usage: GPUBufferUsageFlags) {}

  get pooledBytes(): number {
    return this.#pooledBytes;
  }

  /** A buffer of the bucket for `bytes`; `forWrite` avoids buffers released since the last submit. */
  acquire(bytes: number, forWrite: boolean): GPUBuffer {
    return this.take(bytes, forWrite) ?? this.create(bytes);
  }

  /** A pooled buffer of the bucket for `bytes`, or null when the pool has none to give. */
  take(bytes: number, forWrite: boolean): GPUBuffer | null {
    const size = bucketSize(bytes);
    // Outputs take buffers awaiting a submit first, keeping clean ones for writes.
    const list = forWrite
      ? this.#clean.get(size)
      : this.#dirty.get(size)?.length
      ? this.#dirty.get(size)
      : this.#clean.get(size);
    const found = list?.pop();
    if (!found) return null;
    this.#pooledBytes -= size;
    return found;
  }

  /**
   * A new buffer of the bucket for `bytes`, created under an out-of-memory error scope: the
   * driver reports a failed allocation asynchronously, to `onOutOfMemory` with the bucket size.
   */
  create(bytes: number): GPUBuffer {
    const size = bucketSize(bytes);
    this.created++;
    this.device.pushErrorScope("out-of-memory");
    const buffer = this.device.createBuffer({ size, usage: this.usage });
    this.device.popErrorScope().then(
      (error) => {
        if (error) this.onOutOfMemory?.(size, error.message);
      },
      () => {}, // a lost device rejects the scope; the loss itself is reported elsewhere
    );
    return buffer;
  }

  /** Called when the driver could not allocate a buffer `create()` made (`bytes`: its size). */
  onOutOfMemory: ((bytes: number, message: string) => void) | null = null;

  release(buffer: GPUBuffer): void {
    const list = this.#dirty.get(buffer.size);
    if (list) list.push(buffer);
    else this.#dirty.set(buffer.size, [buffer]);
    this.#pooledBytes += buffer.size;
  }

  /** Called after a submit: every released buffer is now safe for writes. */
  submitted(): void {
    for (const [size, list] of this.#dirty) {
      if (list.length === 0) continue;
      const clean = this.#clean.get(size);
      if (clean) clean.push(...list);
      else this.#clean.set(size, [...list]);
      list.length = 0;
    }
  }

  /** Destroys every pooled buffer (memory pressure, shutdown). */
  drain(): void {
    for (const map of [this.#clean, this.#dirty]) {
      for (const list of map.values()) for (const b of list) b.destroy();
      map.clear();
    }
    this.#pooledBytes = 0;
  }
}
