/**
 * Settling `$expressions` that returned a Promise (`$fetch(...)`, `$Deno.readTextFile(...)`).
 * The resolver is synchronous, so such a value stays a Promise; if it rejects (a missing
 * permission: `Requires net access`), nothing would report it but an unhandled rejection with no
 * id. After resolving, the runner awaits every such Promise and turns a rejection into an
 * {@link EvaluationError} at the expression's `file.yaml:LINE @ id`.
 *
 * @module
 */

import type { Config } from "../config/config.ts";
import { EvaluationError } from "../config/errors.ts";
import { classifyString } from "../config/ids.ts";
import { childId, isDict, locate, lookup } from "../config/tree.ts";

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null &&
    typeof (v as { then?: unknown }).then === "function";
}

function isDisabledValue(v: unknown): boolean {
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (t === "true") return true;
    if (t === "false" || t === "") return false;
  }
  return Boolean(v);
}

/**
 * The ids of every `$expression` under `rootId` that resolution evaluated: the children of a
 * disabled component are never evaluated, so they are skipped (asking for them would run them).
 */
function expressionIds(config: Config, rootId: string): string[] {
  const ids: string[] = [];
  const walk = (node: unknown, id: string): void => {
    if (typeof node === "string") {
      if (classifyString(node) === "expr") ids.push(id);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, childId(id, i)));
      return;
    }
    if (!isDict(node)) return;
    if (Object.hasOwn(node, "_target_") && Object.hasOwn(node, "_disabled_")) {
      const disabledId = childId(id, "_disabled_");
      walk(node._disabled_, disabledId);
      if (isDisabledValue(config.resolve(disabledId))) return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === "_disabled_" && Object.hasOwn(node, "_target_")) continue;
      walk(v, childId(id, k));
    }
  };
  walk(lookup(config.get(), rootId).value, rootId);
  return ids;
}

/**
 * Awaits every Promise that an `$expression` under `rootId` resolved to (after
 * `config.resolve(rootId)`; the values come from the resolver's cache). A rejected one throws an
 * {@link EvaluationError} naming the expression's id, its location and the reason (for a missing
 * permission, Deno's `Requires net access to ...`). Fulfilled Promises stay in place.
 */
export async function settleExpressions(config: Config, rootId = ""): Promise<void> {
  const raw = config.get();
  const pending: { id: string; promise: PromiseLike<unknown> }[] = [];
  for (const id of expressionIds(config, rootId)) {
    const value = config.resolve(id);
    if (isThenable(value)) pending.push({ id, promise: value });
  }
  // Handlers are attached to all of them before the first await, so none is reported unhandled.
  const results = await Promise.allSettled(pending.map((p) => Promise.resolve(p.promise)));
  results.forEach((r, i) => {
    if (r.status === "fulfilled") return;
    const { id } = pending[i];
    const text = String(lookup(raw, id).value);
    const err = r.reason as Error;
    throw new EvaluationError(
      `Expression '${text}' returned a Promise that rejected: ${err?.name ?? "Error"}: ${
        err?.message ?? err
      }`,
      { id, location: locate(raw, id), cause: r.reason },
    );
  });
}
