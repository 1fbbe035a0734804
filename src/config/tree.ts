/**
 * The raw config tree: plain dicts, lists and scalars, with the source location of every child
 * kept beside it (in a WeakMap keyed by the parent container), and the few helpers that change a
 * container while keeping those locations right.
 *
 * @module
 */

import type { SourceLocation } from "./errors.ts";

/** A mapping in the raw config tree. */
export type Dict = Record<string, unknown>;

/** A dict or a list. */
export type Container = Dict | unknown[];

/** True for a plain mapping (not a list, not null, not a class instance). */
export function isDict(value: unknown): value is Dict {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True for a dict or a list. */
export function isContainer(value: unknown): value is Container {
  return Array.isArray(value) || isDict(value);
}

const LOCS = new WeakMap<object, Map<string, SourceLocation>>();

/** The location of `container`'s child `key` (an index for lists), if it came from a file. */
export function childLocation(container: object, key: string): SourceLocation | undefined {
  return LOCS.get(container)?.get(key);
}

/** Records (or, with `undefined`, forgets) the location of a child. */
export function setChildLocation(
  container: object,
  key: string,
  location: SourceLocation | undefined,
): void {
  let map = LOCS.get(container);
  if (!location) {
    map?.delete(key);
    return;
  }
  if (!map) LOCS.set(container, map = new Map());
  map.set(key, location);
}

/** Parses a list index segment (`"0"`, `"12"`); undefined when `seg` is not a decimal index. */
export function listIndex(seg: string): number | undefined {
  return /^\d+$/.test(seg) ? Number(seg) : undefined;
}

/** The child `seg` of a container, or undefined. */
export function getChild(container: unknown, seg: string): unknown {
  if (Array.isArray(container)) {
    const i = listIndex(seg);
    return i === undefined ? undefined : container[i];
  }
  if (isDict(container)) return Object.hasOwn(container, seg) ? container[seg] : undefined;
  return undefined;
}

/** True when `container` has a child `seg`. */
export function hasChild(container: unknown, seg: string): boolean {
  if (Array.isArray(container)) {
    const i = listIndex(seg);
    return i !== undefined && i < container.length;
  }
  return isDict(container) && Object.hasOwn(container, seg);
}

/** Sets a dict key or list slot, and its location. */
export function setChild(
  container: Container,
  seg: string,
  value: unknown,
  location?: SourceLocation,
): void {
  if (Array.isArray(container)) container[Number(seg)] = value;
  else container[seg] = value;
  setChildLocation(container, seg, location);
}

/** Appends to a list, with the item's location. */
export function pushChild(list: unknown[], value: unknown, location?: SourceLocation): void {
  list.push(value);
  setChildLocation(list, String(list.length - 1), location);
}

/** Deletes a dict key, or removes list items by index (shifting the rest and their locations). */
export function deleteChildren(container: Container, segs: string[]): void {
  if (!Array.isArray(container)) {
    for (const s of segs) {
      delete container[s];
      setChildLocation(container, s, undefined);
    }
    return;
  }
  const drop = new Set(segs.map(Number));
  const locs = container.map((_, i) => childLocation(container, String(i)));
  const kept: unknown[] = [];
  const keptLocs: (SourceLocation | undefined)[] = [];
  container.forEach((v, i) => {
    if (!drop.has(i)) {
      kept.push(v);
      keptLocs.push(locs[i]);
    }
  });
  container.length = 0;
  LOCS.delete(container);
  kept.forEach((v, i) => pushChild(container, v, keptLocs[i]));
}

/** A deep copy of a raw tree (dicts and lists copied, other values shared), with locations. */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((v, i) => pushChild(out, deepCopy(v), childLocation(value, String(i))));
    return out as T;
  }
  if (isDict(value)) {
    const out: Dict = {};
    for (const [k, v] of Object.entries(value)) {
      setChild(out, k, deepCopy(v), childLocation(value, k));
    }
    return out as T;
  }
  return value;
}

/** Splits an id into its segments; the root id `""` has none. Segments are trimmed. */
export function splitId(id: string): string[] {
  return id === "" ? [] : id.split("::").map((s) => s.trim());
}

/** Joins an id and a child segment. */
export function childId(id: string, seg: string | number): string {
  return id === "" ? String(seg) : `${id}::${seg}`;
}

/** The node at `id`, or undefined; `found` tells a missing node from a stored `undefined`. */
export function lookup(root: unknown, id: string): { found: boolean; value: unknown } {
  let node = root;
  for (const seg of splitId(id)) {
    if (!hasChild(node, seg)) return { found: false, value: undefined };
    node = getChild(node, seg);
  }
  return { found: true, value: node };
}

/** The location of the node at `id` (or of its nearest located ancestor). */
export function locate(root: unknown, id: string): SourceLocation | undefined {
  let node = root;
  let best: SourceLocation | undefined;
  for (const seg of splitId(id)) {
    if (!hasChild(node, seg) || typeof node !== "object" || node === null) break;
    best = childLocation(node, seg) ?? best;
    node = getChild(node, seg);
  }
  return best;
}

/** Every id in the tree (depth-first, parents before children), the root excluded. */
export function allIds(root: unknown, limit = 100_000): string[] {
  const out: string[] = [];
  const walk = (node: unknown, id: string): void => {
    if (out.length >= limit) return;
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        const cid = childId(id, i);
        out.push(cid);
        walk(v, cid);
      });
    } else if (isDict(node)) {
      for (const [k, v] of Object.entries(node)) {
        const cid = childId(id, k);
        out.push(cid);
        walk(v, cid);
      }
    }
  };
  walk(root, "");
  return out;
}
