/**
 * Resolution: turning the preprocessed tree into values, lazily and memoised per id, so that
 * `@id` gives the same instance every time.
 *
 * @module
 */

import {
  CircularReferenceError,
  ConfigError,
  type ConfigErrorOptions,
  ConfigKeyError,
  ConfigReferenceError,
  EvaluationError,
  InstantiationError,
} from "./errors.ts";
import { classifyString, closest, didYouMean, REF_PATTERN, refId } from "./ids.ts";
import { camelizeKwargs, instantiate, locateTarget, RESERVED_KEYS } from "./instantiate.ts";
import {
  allIds,
  childId,
  type Dict,
  isContainer,
  isDict,
  locate,
  lookup,
  splitId,
} from "./tree.ts";

/** What a disabled component resolves to inside the resolver; callers see `undefined`. */
const DISABLED: unique symbol = Symbol("disabled");

type Compiled = (...a: unknown[]) => unknown;
const COMPILED = new Map<string, Compiled>();

function isDisabledValue(v: unknown): boolean {
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (t === "true") return true;
    if (t === "false" || t === "") return false;
  }
  return Boolean(v);
}

/** Resolves ids of one preprocessed tree; the cache lives as long as the resolver. */
export class Resolver {
  readonly #tree: Dict;
  readonly #scope: Record<string, unknown>;
  readonly #notes: Record<string, string>;
  readonly #cache = new Map<string, unknown>();
  readonly #stack: string[] = [];
  readonly #onStack = new Set<string>();
  #ids?: string[];
  #started = false;

  /** `notes` adds a remark to target-not-found errors per namespace (why `lumen` is empty). */
  constructor(tree: Dict, scope: Record<string, unknown>, notes: Record<string, string> = {}) {
    this.#tree = tree;
    this.#scope = scope;
    this.#notes = notes;
  }

  #ctx(id: string, cause?: unknown): ConfigErrorOptions {
    return { id, location: locate(this.#tree, id), cause };
  }

  #allIds(): string[] {
    return this.#ids ??= allIds(this.#tree);
  }

  /** The resolved value at `id` (`undefined` for a disabled component). */
  resolve(id: string): unknown {
    if (!this.#started) {
      this.#started = true;
      // A top-level `_requires_` runs before anything else is resolved.
      if (Object.hasOwn(this.#tree, "_requires_")) {
        this.#resolveAt("_requires_", this.#tree._requires_);
      }
    }
    const found = lookup(this.#tree, id);
    if (!found.found) throw this.#missingId(id);
    const v = this.#resolveAt(id, found.value);
    return v === DISABLED ? undefined : v;
  }

  #missingId(id: string): ConfigKeyError {
    const segs = splitId(id);
    let parentId = "";
    let node: unknown = this.#tree;
    for (const s of segs.slice(0, -1)) {
      const next = lookup(node, s);
      if (!next.found) break;
      node = next.value;
      parentId = childId(parentId, s);
    }
    let detail = `Config id '${id}' not found.`;
    if (isContainer(node)) {
      const keys = Array.isArray(node) ? node.map((_, i) => String(i)) : Object.keys(node);
      const shown = keys.slice(0, 10).join(", ") + (keys.length > 10 ? ", ..." : "");
      detail += ` Keys under '${parentId || "<root>"}': ${shown || "none"}.`;
    } else if (parentId) {
      detail += ` '${parentId}' is not a mapping or a list.`;
    }
    detail += didYouMean(closest(id, this.#allIds()));
    return new ConfigKeyError(detail, {});
  }

  #resolveRef(target: string, fromId: string, text: string): unknown {
    if (this.#onStack.has(target)) {
      const start = this.#stack.indexOf(target);
      const chain = [...this.#stack.slice(start), target];
      throw new CircularReferenceError(
        `Circular reference: '${text}' in '${fromId}' refers back to '${target}' ` +
          `(chain: ${chain.join(" -> ")})`,
        chain,
        this.#ctx(fromId),
      );
    }
    const found = lookup(this.#tree, target);
    if (!found.found) {
      throw new ConfigKeyError(
        `Reference '@${target}' not found.${didYouMean(closest(target, this.#allIds()), "@")}`,
        this.#ctx(fromId),
      );
    }
    const v = this.#resolveAt(target, found.value);
    return v === DISABLED ? undefined : v;
  }

  #resolveAt(id: string, node: unknown): unknown {
    if (this.#cache.has(id)) return this.#cache.get(id);
    if (this.#onStack.has(id)) {
      const chain = [...this.#stack.slice(this.#stack.indexOf(id)), id];
      throw new CircularReferenceError(
        `Circular reference: '${id}' depends on itself (chain: ${chain.join(" -> ")})`,
        chain,
        this.#ctx(id),
      );
    }
    if (this.#stack.length > 1000) {
      throw new ConfigError(
        `Config is nested or chained more than 1000 levels deep`,
        this.#ctx(id),
      );
    }
    this.#stack.push(id);
    this.#onStack.add(id);
    let value: unknown;
    try {
      value = this.#build(id, node);
    } finally {
      this.#stack.pop();
      this.#onStack.delete(id);
    }
    this.#cache.set(id, value);
    return value;
  }

  #build(id: string, node: unknown): unknown {
    if (typeof node === "string") {
      switch (classifyString(node)) {
        case "ref":
          return this.#resolveRef(refId(node), id, node);
        case "expr":
          return this.#evaluate(id, node);
        case "bad-ref":
          throw new ConfigReferenceError(
            `Malformed reference '${node}': a reference is '@' and an id of word characters ` +
              `joined by '::' (like '@system::model'); for an expression write '$${node}'`,
            this.#ctx(id),
          );
        default:
          return node;
      }
    }
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (let i = 0; i < node.length; i++) {
        const v = this.#resolveAt(childId(id, i), node[i]);
        if (v !== DISABLED) out.push(v);
      }
      return out;
    }
    if (isDict(node)) {
      if (Object.hasOwn(node, "_target_")) return this.#component(id, node);
      if (id !== "" && Object.hasOwn(node, "_requires_")) {
        this.#resolveAt(childId(id, "_requires_"), node._requires_);
      }
      const out: Dict = {};
      for (const k of Object.keys(node)) {
        const v = this.#resolveAt(childId(id, k), node[k]);
        if (v !== DISABLED) out[k] = v;
      }
      return out;
    }
    return node;
  }

  #child(id: string, node: Dict, key: string): unknown {
    const v = this.#resolveAt(childId(id, key), node[key]);
    return v === DISABLED ? undefined : v;
  }

  #component(id: string, node: Dict): unknown {
    if (Object.hasOwn(node, "_requires_")) this.#child(id, node, "_requires_");
    if (Object.hasOwn(node, "_disabled_") && isDisabledValue(this.#child(id, node, "_disabled_"))) {
      return DISABLED;
    }
    const target = this.#child(id, node, "_target_");
    let name: string;
    let fn: unknown;
    if (typeof target === "string") {
      name = target.trim();
      fn = locateTarget(name, this.#scope, this.#ctx(id), this.#notes);
    } else if (typeof target === "function") {
      name = target.name || "<function>";
      fn = target;
    } else {
      throw new InstantiationError(
        `_target_ must be a dotted name (like 'lumen.nn.Linear') or a function, got ${
          target === null ? "null" : typeof target
        }`,
        this.#ctx(childId(id, "_target_")),
      );
    }
    const mode = Object.hasOwn(node, "_mode_") ? this.#child(id, node, "_mode_") : "default";
    let args: unknown[] = [];
    if (Object.hasOwn(node, "_args_")) {
      const a = this.#child(id, node, "_args_");
      if (!Array.isArray(a)) {
        throw new InstantiationError(
          `_args_ of '${name}' must be a list of positional arguments, got ${typeof a}`,
          this.#ctx(childId(id, "_args_")),
        );
      }
      args = a;
    }
    const raw: Dict = {};
    for (const k of Object.keys(node)) {
      if (RESERVED_KEYS.has(k)) continue;
      const v = this.#resolveAt(childId(id, k), node[k]);
      if (v !== DISABLED) raw[k] = v;
    }
    const ctx = this.#ctx(id);
    const kwargs = camelizeKwargs(raw, name, ctx);
    return instantiate(fn, name, args, kwargs, String(mode), ctx);
  }

  #evaluate(id: string, text: string): unknown {
    const body = text.slice(1);
    const refs: Record<string, unknown> = {};
    const code = body.replace(REF_PATTERN, (whole, _colons: string, rid: string) => {
      if (!Object.hasOwn(refs, rid)) refs[rid] = this.#resolveRef(rid, id, whole);
      return `__refs[${JSON.stringify(rid)}]`;
    });
    const names = Object.keys(this.#scope);
    const key = names.join(",") + "\n" + code;
    let fn = COMPILED.get(key);
    if (!fn) {
      try {
        fn = new Function(...names, "__refs", `"use strict";\nreturn (${code}\n);`) as Compiled;
      } catch (e) {
        const hint = body.startsWith("%")
          ? " ('%' raw references work only as a whole value; use '@id' inside expressions)"
          : "";
        throw new EvaluationError(
          `Invalid JavaScript in expression '${text}': ${(e as Error).name}: ${
            (e as Error).message
          }${hint}`,
          this.#ctx(id, e),
        );
      }
      if (COMPILED.size > 10_000) COMPILED.clear();
      COMPILED.set(key, fn);
    }
    try {
      return fn(...names.map((n) => this.#scope[n]), refs);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      const err = e as Error;
      throw new EvaluationError(
        `Failed to evaluate expression '${text}': ${err?.name ?? "Error"}: ${err?.message ?? e}`,
        this.#ctx(id, e),
      );
    }
  }
}
