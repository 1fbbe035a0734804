/** Checking and applying the adapters' transforms. */
import { show } from "./_describe.ts";
import type { Transform, TransformsOption } from "./transforms.ts";

/**
 * The transforms of `value` as a list (none for null/undefined), each checked to be a function:
 * anything else is Lighter's `Invalid transform type for transform: ...` error, raised when the
 * adapter is built rather than at its first call.
 */
export function transformList(owner: string, value: TransformsOption | undefined): Transform[] {
  if (value === null || value === undefined) return [];
  const list: readonly unknown[] = Array.isArray(value) ? value : [value];
  for (const t of list) {
    if (typeof t !== "function") {
      throw new TypeError(`${owner}: Invalid transform type for transform: ${show(t)}`);
    }
  }
  return [...list] as Transform[];
}

/** Applies `transforms` to `data` in order. */
export function applyTransforms(data: unknown, transforms: readonly Transform[]): unknown {
  let out = data;
  for (const t of transforms) out = (t as (v: unknown) => unknown)(out);
  return out;
}
