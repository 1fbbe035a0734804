/**
 * Per-dispatch `params` of one submit, gathered on the host into one buffer: each dispatch binds
 * its slice (at the adapter's storage offset alignment), and `upload()` writes them all with one
 * `queue.writeBuffer` just before the submit. A write lands after the work already submitted and
 * before the command buffer that reads it, so one buffer serves every submit.
 */
export class ParamsArena {
  #host: Uint32Array<ArrayBuffer>;
  #buffer: GPUBuffer;
  #used = 0;

  /**
   * `slots` dispatches of up to `slotBytes` bytes of params each, per submit; `align` is the
   * device's `minStorageBufferOffsetAlignment`.
   */
  constructor(
    readonly device: GPUDevice,
    readonly slots: number,
    readonly align: number,
    readonly slotBytes: number = 256,
  ) {
    const bytes = slots * Math.ceil(slotBytes / align) * align;
    this.#host = new Uint32Array(bytes / 4);
    this.#buffer = device.createBuffer({ size: bytes, usage: 0x80 | 0x08 }); // STORAGE | COPY_DST
  }

  /** Whether `bytes` more bytes of params fit before the next upload. */
  fits(bytes: number): boolean {
    return this.#used + bytes <= this.#host.byteLength;
  }

  /** Copies `params` into the next slot and returns the binding that reads them. */
  slot(params: Uint32Array): GPUBufferBinding {
    const offset = this.#used;
    const size = Math.max(params.byteLength, 4);
    this.#host.set(params, offset / 4);
    this.#used += Math.ceil(size / this.align) * this.align;
    return { buffer: this.#buffer, offset, size };
  }

  /** Writes the params gathered since the last upload; call right before submitting. */
  upload(queue: GPUQueue): void {
    if (this.#used === 0) return;
    queue.writeBuffer(this.#buffer, 0, this.#host, 0, this.#used / 4);
    this.#used = 0;
  }
}
