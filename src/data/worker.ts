/// <reference lib="deno.worker" />
/**
 * The loader's worker: rebuilds the dataset from its spec once, then makes whole batches on
 * request (decode, transform, and, with the default collate, stack), sending the stacked arrays
 * back as transferred buffers. It imports no tensor code: workers never touch the GPU.
 *
 * @module
 */
import { rebuild } from "./worker_registry.ts";
import { loadDataset, makeSamples } from "./samples.ts";
import { collateHost } from "./collate.ts";
import { transferables } from "./_batch_helpers.ts";
import type { Dataset } from "./dataset.ts";
import type { WorkerRequest, WorkerResponse } from "./worker_protocol.ts";

let dataset: Dataset | null = null;
// Requests are handled one at a time: the random stream of a sample must not interleave.
let queue: Promise<void> = Promise.resolve();

function reply(msg: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  self.postMessage(msg, { transfer });
}

function failure(id: number, e: unknown): WorkerResponse {
  const err = e instanceof Error ? e : new Error(String(e));
  const fields = err as unknown as Record<string, unknown>;
  return {
    type: "error",
    id,
    name: err.name,
    message: err.message,
    file: fields.file as string | undefined,
    offset: fields.offset as number | undefined,
    line: fields.line as number | undefined,
    column: fields.column as number | undefined,
  };
}

async function handle(msg: WorkerRequest): Promise<void> {
  if (msg.type === "init") {
    try {
      dataset = (await rebuild(msg.spec)) as Dataset;
      await loadDataset(dataset);
      reply({ type: "ready", id: msg.id });
    } catch (e) {
      reply(failure(msg.id, e));
    }
    return;
  }
  try {
    if (!dataset) throw new Error("Worker: a batch was requested before init");
    const samples = await makeSamples(dataset, msg.indices, msg.seed, msg.epoch);
    const batch = msg.collate ? collateHost(samples) : samples;
    reply({ type: "batch", id: msg.id, batch }, transferables(batch));
  } catch (e) {
    reply(failure(msg.id, e));
  }
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  queue = queue.then(() => handle(event.data));
};
