/**
 * Composing configs: a later layer (file) is applied onto the merged result of the earlier ones.
 *
 * - `key: dict` onto a dict merges deeply, `key: list` onto a list extends it, anything else
 *   replaces (or inserts).
 * - `=key: value` replaces wholesale.
 * - `~key: null` (or `""`) deletes the key (a no-op when it is missing); `~key: [i, ...]` deletes
 *   list indices (negatives count from the end); `~key: [k, ...]` deletes dict keys.
 * - A path key `a::b::c: v` (with or without `=`/`~`) walks into `a` and `b` (creating dicts as
 *   needed, indexing into lists) and applies the operator at `c`.
 *
 * @module
 */

import { ConfigMergeError, type SourceLocation } from "./errors.ts";
import {
  childId,
  childLocation,
  type Container,
  deleteChildren,
  type Dict,
  getChild,
  hasChild,
  isContainer,
  isDict,
  listIndex,
  pushChild,
  setChild,
  splitId,
} from "./tree.ts";

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (isDict(value)) return "a mapping";
  return `a ${typeof value}`;
}

/**
 * A processed copy of a layer value: dicts have their operators and path keys applied onto an
 * empty dict, lists are copied item by item, scalars are returned as they are.
 */
export function normalize(value: unknown, id = ""): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((v, i) =>
      pushChild(out, normalize(v, childId(id, i)), childLocation(value, String(i)))
    );
    return out;
  }
  if (isDict(value)) {
    const out: Dict = {};
    applyLayer(out, value, id);
    return out;
  }
  return value;
}

/** Applies `layer` onto `base` in place (see the module doc for the rules). */
export function applyLayer(base: Dict, layer: Dict, baseId = ""): void {
  for (const rawKey of Object.keys(layer)) {
    const value = layer[rawKey];
    const location = childLocation(layer, rawKey);
    const op = rawKey.startsWith("=") ? "=" : rawKey.startsWith("~") ? "~" : "";
    const path = splitId(op ? rawKey.slice(1) : rawKey);
    const shownKey = rawKey;
    if (path.length === 0 || path.some((s) => s === "")) {
      throw new ConfigMergeError(`Invalid key '${rawKey}': empty path segment`, {
        id: childId(baseId, rawKey),
        location,
      });
    }
    // Walk the path key down to the parent of its last segment.
    let target: Container = base;
    let targetId = baseId;
    let skip = false;
    for (const seg of path.slice(0, -1)) {
      const nextId = childId(targetId, seg);
      if (Array.isArray(target)) {
        const i = listIndex(seg);
        if (i === undefined || i >= target.length) {
          if (op === "~") {
            skip = true;
            break;
          }
          throw new ConfigMergeError(
            `Key '${shownKey}': '${targetId}' is a list of ${target.length} items, so ` +
              `'${seg}' is not a valid index`,
            { id: nextId, location },
          );
        }
      }
      let next = getChild(target, seg);
      if (!hasChild(target, seg)) {
        if (op === "~") {
          skip = true;
          break;
        }
        next = {};
        setChild(target, seg, next, location);
      } else if (!isContainer(next)) {
        throw new ConfigMergeError(
          `Key '${shownKey}' walks through '${nextId}', which holds ${kind(next)}, ` +
            `not a mapping or a list`,
          { id: nextId, location },
        );
      }
      target = next as Container;
      targetId = nextId;
    }
    if (skip) continue;
    const last = path[path.length - 1];
    const id = childId(targetId, last);
    if (op === "~") removeAt(target, last, value, { id, key: shownKey, location });
    else if (op === "=") putAt(target, last, normalize(value, id), { id, key: shownKey, location });
    else {
      const existing = getChild(target, last);
      if (isDict(existing) && isDict(value)) applyLayer(existing, value, id);
      else if (Array.isArray(existing) && Array.isArray(value)) {
        const start = existing.length;
        value.forEach((v, i) =>
          pushChild(existing, normalize(v, childId(id, start + i)), childLocation(value, String(i)))
        );
      } else putAt(target, last, normalize(value, id), { id, key: shownKey, location });
    }
  }
}

interface OpContext {
  id: string;
  key: string;
  location?: SourceLocation;
}

function putAt(target: Container, seg: string, value: unknown, ctx: OpContext): void {
  if (Array.isArray(target)) {
    const i = listIndex(seg);
    if (i === undefined || i > target.length) {
      throw new ConfigMergeError(
        `Key '${ctx.key}': '${seg}' is not a valid index into a list of ${target.length} items`,
        ctx,
      );
    }
    if (i === target.length) pushChild(target, value, ctx.location);
    else setChild(target, seg, value, ctx.location);
    return;
  }
  setChild(target, seg, value, ctx.location);
}

function removeAt(target: Container, seg: string, value: unknown, ctx: OpContext): void {
  if (value === null || value === "") {
    if (hasChild(target, seg)) deleteChildren(target, [seg]);
    return;
  }
  if (!Array.isArray(value)) {
    throw new ConfigMergeError(
      `Remove operator '${ctx.key}' must have a null value (delete the key) or a list of ` +
        `indices or keys to delete, got ${kind(value)}`,
      ctx,
    );
  }
  if (value.length === 0) {
    throw new ConfigMergeError(
      `Remove operator '${ctx.key}' cannot be empty: give null to delete the key, or the ` +
        `indices or keys to delete`,
      ctx,
    );
  }
  if (!hasChild(target, seg)) {
    throw new ConfigMergeError(
      `Remove operator '${ctx.key}': '${ctx.id}' does not exist, so nothing can be removed from it`,
      ctx,
    );
  }
  const existing = getChild(target, seg);
  if (Array.isArray(existing)) {
    const n = existing.length;
    const drop: string[] = [];
    for (const item of value) {
      if (typeof item !== "number" || !Number.isInteger(item)) {
        throw new ConfigMergeError(
          `Remove operator '${ctx.key}': '${ctx.id}' is a list, so each item to remove must be ` +
            `an integer index, got ${JSON.stringify(item)}`,
          ctx,
        );
      }
      const i = item < 0 ? n + item : item;
      if (i < 0 || i >= n) {
        throw new ConfigMergeError(
          `Remove operator '${ctx.key}': index ${item} out of range for '${ctx.id}' ` +
            `(a list of ${n} items)`,
          ctx,
        );
      }
      drop.push(String(i));
    }
    deleteChildren(existing, drop);
    return;
  }
  if (isDict(existing)) {
    for (const item of value) {
      const k = String(item);
      if (!Object.hasOwn(existing, k)) {
        throw new ConfigMergeError(
          `Remove operator '${ctx.key}': cannot remove non-existent key '${k}' from ` +
            `'${ctx.id}' (its keys: ${Object.keys(existing).join(", ") || "none"})`,
          ctx,
        );
      }
    }
    deleteChildren(existing, value.map(String));
    return;
  }
  throw new ConfigMergeError(
    `Remove operator '${ctx.key}' with a list needs '${ctx.id}' to be a list or a mapping, ` +
      `got ${kind(existing)}`,
    ctx,
  );
}
