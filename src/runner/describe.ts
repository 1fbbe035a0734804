/** Short descriptions of values for the runner's type errors ("got a mapping", "got Linear"). */

import { isDict } from "../config/tree.ts";

/** Describes `value` for "x must be X, got <description>". */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing, or the component is disabled)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (isDict(value)) return "a mapping without '_target_'";
  if (typeof value === "function") {
    return `the function ${value.name || "<anonymous>"} (a '_mode_: callable' component?)`;
  }
  if (typeof value === "object") {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name ? `${name}` : "an object";
  }
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}
