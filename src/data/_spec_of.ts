/** Turning options into worker specs (`specOf`), and recognising specs. */
import type { WorkerRebuildable, WorkerSpec } from "./worker_spec.ts";

/** Whether `value` can describe itself for a worker. */
export function isRebuildable(value: unknown): value is WorkerRebuildable {
  return value !== null && typeof value === "object" &&
    typeof (value as WorkerRebuildable).workerSpec === "function";
}

/** Whether `value` is a spec. */
export function isWorkerSpec(value: unknown): value is WorkerSpec {
  return value !== null && typeof value === "object" &&
    typeof (value as WorkerSpec).$kind === "string" &&
    typeof (value as WorkerSpec).options === "object";
}

/**
 * Turns an options value into plain data: rebuildable objects become their specs, arrays and
 * plain objects are walked, functions throw (naming `what`), everything else passes.
 */
export function specOf(value: unknown, what: string): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === "function") {
    throw new Error(
      `${what} is a function, which cannot be sent to a worker; use a transform class ` +
        `(lumen.data.transforms) or numWorkers: 0`,
    );
  }
  if (typeof value !== "object") return value;
  if (isRebuildable(value)) return value.workerSpec();
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer) return value;
  if (Array.isArray(value)) return value.map((v, i) => specOf(v, `${what}[${i}]`));
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = specOf(v, `${what}.${k}`);
    return out;
  }
  throw new Error(
    `${what} is a ${proto?.constructor?.name ?? "object"} without a workerSpec() method, so a ` +
      `worker cannot rebuild it; add workerSpec() or use numWorkers: 0`,
  );
}
