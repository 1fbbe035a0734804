/**
 * Where the rewritten doc examples send what their checked `console.log` calls print: one
 * recorder per example, one list of printed texts per call.
 *
 * @module
 */
import { formatLog } from "./expect.ts";

const printed = new Map<string, Map<number, string[]>>();

/** The `console.log` stand-in of one example: `(callIndex, ...args)` records the printed text. */
export function record(key: string): (index: number, ...args: unknown[]) => void {
  const calls = new Map<number, string[]>();
  printed.set(key, calls);
  return (index, ...args) => {
    const list = calls.get(index) ?? [];
    list.push(formatLog(args));
    calls.set(index, list);
  };
}

/** What each checked call of an example printed (no entry: the call never ran). */
export function recorded(key: string): Map<number, string[]> {
  return printed.get(key) ?? new Map();
}
