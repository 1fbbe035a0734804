/** Applying a transform, object or function alike. */
import type { TransformLike } from "./transform.ts";

/** Applies a transform object or function. */
export function applyTransform(t: TransformLike, x: unknown): unknown {
  return typeof t === "function" ? t(x) : t.apply(x);
}
