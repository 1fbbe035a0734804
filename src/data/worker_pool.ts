/**
 * A pool of Deno Workers making batches for a loader. Each worker rebuilds the dataset from its
 * spec once; batches are then requested by index list and answered in any order.
 *
 * @module
 */
import { DataFormatError } from "./errors.ts";
import type { WorkerSpec } from "./worker_spec.ts";
import type { WorkerRequest, WorkerResponse } from "./worker_protocol.ts";

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

function toError(msg: Extract<WorkerResponse, { type: "error" }>): Error {
  const err = new Error(msg.message);
  err.name = msg.name;
  // Bad-data errors keep their class and location fields across the thread boundary.
  if (msg.name === "DataFormatError") {
    Object.setPrototypeOf(err, DataFormatError.prototype);
    Object.assign(err, { file: msg.file, offset: msg.offset, line: msg.line, column: msg.column });
  }
  return err;
}

class PoolWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  dead: Error | null = null;

  constructor() {
    // A static URL next to this module: `deno compile --include src/data/worker.ts` embeds it.
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const msg = e.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === "error") p.reject(toError(msg));
      else p.resolve(msg.type === "batch" ? msg.batch : undefined);
    };
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.dead = new Error(`A data loader worker crashed: ${e.message}`);
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    };
  }

  request(msg: WorkerRequest): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending.set(msg.id, { resolve, reject });
      this.worker.postMessage(msg);
    });
  }
}

/** Workers that share one dataset spec. */
export class WorkerPool {
  #workers: PoolWorker[];
  #nextId = 1;

  private constructor(count: number) {
    this.#workers = Array.from({ length: count }, () => new PoolWorker());
  }

  /** Starts `count` workers and waits until each has rebuilt and loaded the dataset. */
  static async start(spec: WorkerSpec, count: number): Promise<WorkerPool> {
    const pool = new WorkerPool(count);
    try {
      await Promise.all(
        pool.#workers.map((w) => w.request({ type: "init", id: pool.#nextId++, spec })),
      );
    } catch (e) {
      pool.terminate();
      throw e;
    }
    return pool;
  }

  /** Number of workers. */
  get size(): number {
    return this.#workers.length;
  }

  /** Asks worker `which` for the batch at `indices`. */
  batch(
    which: number,
    indices: Int32Array,
    seed: number,
    epoch: number,
    collate: boolean,
  ): Promise<unknown> {
    const w = this.#workers[which % this.#workers.length];
    return w.request({ type: "batch", id: this.#nextId++, indices, seed, epoch, collate });
  }

  /** Stops every worker; pending requests are rejected. */
  terminate(): void {
    for (const w of this.#workers) {
      w.worker.terminate();
      for (const p of w.pending.values()) {
        p.reject(new Error("The data loader's workers were stopped"));
      }
      w.pending.clear();
    }
    this.#workers = [];
  }
}
