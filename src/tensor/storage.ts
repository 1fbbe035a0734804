import type { DeviceBuffer } from "../device/device.ts";
import { getDevice } from "../device/default_device.ts";

/**
 * Work that fills a storage later, when its buffer is first needed: a fused elementwise
 * expression not evaluated yet (src/ops/fusion.ts).
 */
export interface Deferred {
  /** The storages it reads; they stay alive until it has run or been dropped. */
  readonly inputs: readonly Storage[];
  /** Records the dispatch that computes the contents; returns the new buffer. Called once. */
  run(): DeviceBuffer;
}

function isDeferred(source: DeviceBuffer | Deferred): source is Deferred {
  return "run" in source;
}

/**
 * Reference-counted device memory shared by a tensor and its views (reshape, detach). A lazy
 * storage holds a {@link Deferred} instead of a buffer until something needs the buffer.
 */
export class Storage {
  #refs = 1;
  #buffer: DeviceBuffer | null = null;
  #deferred: Deferred | null = null;
  /** Lazy storages that read this one: evaluated before this one is written in place. */
  #readers: Set<Storage> | null = null;

  /** Owns `source`: a buffer, or deferred work (whose inputs it retains until the work runs). */
  constructor(source: DeviceBuffer | Deferred) {
    if (!isDeferred(source)) {
      this.#buffer = source;
      return;
    }
    this.#deferred = source;
    for (const s of source.inputs) {
      s.retain();
      (s.#readers ??= new Set()).add(this);
    }
  }

  /** Whether some tensor or view still holds this memory. */
  get alive(): boolean {
    return this.#refs > 0;
  }

  /** The deferred work, while it has not run (null once there is a buffer). */
  get deferred(): Deferred | null {
    return this.#deferred;
  }

  /** The buffer; a lazy storage runs its deferred work first. */
  get buffer(): DeviceBuffer {
    if (this.#buffer) return this.#buffer;
    const work = this.#deferred;
    if (!work) throw new Error("The memory of a freed tensor was used");
    this.#buffer = work.run();
    this.#deferred = null;
    this.#dropInputs(work);
    return this.#buffer;
  }

  /** Evaluates the lazy storages that read this one, so that they see its current contents. */
  settleReaders(): void {
    if (!this.#readers?.size) return;
    for (const reader of [...this.#readers]) void reader.buffer;
  }

  /** One more holder (a view, a lazy storage reading this one). */
  retain(): this {
    this.#refs++;
    return this;
  }

  /** One holder fewer; the last one frees the buffer, or drops the deferred work's inputs. */
  release(): void {
    if (this.#refs <= 0) return;
    if (--this.#refs > 0) return;
    if (this.#buffer) getDevice().release(this.#buffer);
    else if (this.#deferred) this.#dropInputs(this.#deferred);
    this.#deferred = null;
  }

  #dropInputs(work: Deferred): void {
    for (const s of work.inputs) {
      s.#readers?.delete(this);
      s.release();
    }
  }
}
