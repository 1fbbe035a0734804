/**
 * A cap on the bytes of GPU buffers the device holds (live and pooled), like torch's
 * `set_per_process_memory_fraction`: an allocation over it first frees the pool and retries, then
 * fails with a `DeviceOutOfMemoryError`. Set with `LUMEN_MEMORY_BUDGET` (bytes) or the device's
 * `memoryBudget`; none by default. It makes a small GPU reproducible on a large one, and lets
 * tests reach the out-of-memory path.
 *
 * @module
 */

/** The environment variable read at start: a number of bytes, optionally with KiB/MiB/GiB. */
export const BUDGET_ENV = "LUMEN_MEMORY_BUDGET";

const UNITS: Record<string, number> = { "": 1, b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };

/** Checks a budget: a positive integer number of bytes, or null for none. */
export function checkBudget(bytes: number | null, source: string): number | null {
  if (bytes === null) return null;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new RangeError(
      `${source} must be a positive integer number of bytes or null, got ${bytes}`,
    );
  }
  return bytes;
}

/** Parses `"536870912"`, `"512MiB"` or `"2 GiB"` into bytes; a clear error otherwise. */
export function parseBudget(text: string, source: string = BUDGET_ENV): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*$/i.exec(text);
  const unit = m?.[2]?.toLowerCase().replace(/^([kmg])b$/, "$1ib") ?? "";
  if (!m || !(unit in UNITS)) {
    throw new RangeError(
      `${source} must be a number of bytes, optionally with B, KiB, MiB or GiB (e.g. "512MiB"), ` +
        `got ${JSON.stringify(text)}`,
    );
  }
  return checkBudget(Math.floor(Number(m[1]) * UNITS[unit]), source) as number;
}

/** The budget `LUMEN_MEMORY_BUDGET` sets, or null (also without env permission). */
export function budgetFromEnv(): number | null {
  let text: string | undefined;
  try {
    text = Deno.env.get(BUDGET_ENV);
  } catch {
    return null;
  }
  return text === undefined || text.trim() === "" ? null : parseBudget(text);
}

/** What an out-of-memory message reports. */
export interface OutOfMemoryFacts {
  /** Bytes asked for (the buffer's bucket size). */
  requested: number;
  /** Bytes in live buffers. */
  liveBytes: number;
  /** Number of live buffers. */
  liveBuffers: number;
  /** Bytes the pool held before it was freed. */
  pooledBytes: number;
  /** The budget, or null when the driver itself ran out. */
  budget: number | null;
  /** The adapter's description. */
  adapter: string;
}

/** The message of a `DeviceOutOfMemoryError`: the sizes, the adapter and what to do. */
export function outOfMemoryMessage(f: OutOfMemoryFacts, cause: string): string {
  return `GPU out of memory: a buffer of ${f.requested} bytes ${cause}; ` +
    `live ${f.liveBytes} bytes in ${f.liveBuffers} buffers, pooled ${f.pooledBytes} bytes ` +
    `(freed, then retried once)` +
    (f.budget === null ? "" : `, budget ${f.budget} bytes (${BUDGET_ENV})`) +
    `, adapter "${f.adapter}". Free tensors (dispose(), tidy()) or use a smaller batch`;
}
