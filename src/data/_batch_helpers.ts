/** Helpers on collated host batches: device-stack markers and transferable buffers. */
import type { PendingStack } from "./collate.ts";
import { isHostArray } from "./host_array.ts";

/** Whether a collated value is a device-stack marker (for `uploadBatch`). */
export function isPendingStack(v: unknown): v is PendingStack {
  return v !== null && typeof v === "object" && "pendingStack" in v;
}

/** Every transferable buffer in a host batch (for a zero-copy `postMessage`). */
export function transferables(batch: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (isHostArray(batch)) {
    const buf = batch.data.buffer;
    if (buf instanceof ArrayBuffer && !out.includes(buf)) out.push(buf);
  } else if (Array.isArray(batch)) {
    for (const v of batch) transferables(v, out);
  } else if (batch !== null && typeof batch === "object" && !ArrayBuffer.isView(batch)) {
    for (const v of Object.values(batch)) transferables(v, out);
  }
  return out;
}
