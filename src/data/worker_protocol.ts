/** Messages between the loader and its workers. */
import type { WorkerSpec } from "./worker_spec.ts";

/** Main thread to worker. */
export type WorkerRequest =
  | { type: "init"; id: number; spec: WorkerSpec }
  | {
    type: "batch";
    id: number;
    indices: Int32Array;
    seed: number;
    epoch: number;
    /** Stack on the host in the worker (default collate) or send the samples as they are. */
    collate: boolean;
  };

/** Worker to main thread. */
export type WorkerResponse =
  | { type: "ready"; id: number }
  | { type: "batch"; id: number; batch: unknown }
  | {
    type: "error";
    id: number;
    name: string;
    message: string;
    file?: string;
    offset?: number;
    line?: number;
    column?: number;
  };
