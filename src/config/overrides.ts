/**
 * CLI overrides (`key::path=value`) and the path-wise `set` they use.
 *
 * @module
 */

import { parseYaml } from "../deps.ts";
import { type ConfigError, OverrideError, type SourceLocation } from "./errors.ts";
import {
  childId,
  type Container,
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

/**
 * One parsed override: the id to set and its typed value.
 *
 * @example
 * ```ts
 * import { type Override, parseOverride } from "lumen";
 * const o: Override = parseOverride("trainer::devices=[0, 1]");
 * console.log(o.key, o.value); // trainer::devices [ 0, 1 ]
 * ```
 */
export interface Override {
  /** The id to set, `::`-separated. */
  key: string;
  /** The typed value. */
  value: unknown;
  /** The override as written. */
  text: string;
}

const YAML_NULL = /^(null|Null|NULL|~)$/;

/**
 * Types an override value as a YAML flow scalar: numbers (`100`, `1e-3`, `-1`, `0x10`), booleans
 * (`true`, `false`), `null`, flow lists and mappings (`[0, 1]`, `{a: 1}`) and quoted strings
 * become values; anything else (`best.ckpt`, `16-mixed`, `resnet50`) stays the string as
 * written, and an empty value is `""`.
 *
 * @example
 * ```ts
 * import { typeOverrideValue } from "lumen";
 * console.log(["1e-3", "[0, 1]", "16-mixed"].map(typeOverrideValue)); // [0.001, [0, 1], "16-mixed"]
 * ```
 */
export function typeOverrideValue(text: string): unknown {
  const t = text.trim();
  if (t === "") return "";
  const first = t[0];
  let parsed: unknown;
  try {
    parsed = parseYaml(t, { logLevel: "silent" });
  } catch {
    return text;
  }
  if (first === "[" || first === "{" || first === '"' || first === "'") return parsed;
  if (typeof parsed === "number" || typeof parsed === "boolean") return parsed;
  if (parsed === null && YAML_NULL.test(t)) return null;
  return text;
}

/**
 * Parses `key::path=value`: split on the first `=`, the value typed by
 * {@link typeOverrideValue}. The older form `--key#path=value` is accepted with `legacy: true`
 * (the CLI does that). Throws {@link OverrideError} when there is no `=` or no key.
 *
 * @example
 * ```ts
 * import { parseOverride } from "lumen";
 * console.log(parseOverride("trainer::max_epochs=5"));
 * // { key: "trainer::max_epochs", value: 5, text: "trainer::max_epochs=5" }
 * ```
 */
export function parseOverride(text: string, options: { legacy?: boolean } = {}): Override {
  const eq = text.indexOf("=");
  if (eq < 0) {
    throw new OverrideError(
      `Invalid override '${text}': expected the form 'key::path=value' ` +
        `(e.g. trainer::max_epochs=10)`,
    );
  }
  let key = text.slice(0, eq).trim();
  if (options.legacy && key.startsWith("--")) key = key.slice(2).replaceAll("#", "::");
  if (key === "" || splitId(key).some((s) => s === "")) {
    throw new OverrideError(
      `Invalid override '${text}': the key is empty or has an empty segment; expected the ` +
        `form 'key::path=value'`,
    );
  }
  return { key, value: typeOverrideValue(text.slice(eq + 1)), text };
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (isDict(value)) return "a mapping";
  return `a ${typeof value}`;
}

/**
 * Sets the node at `id` in `root`, replacing what was there: missing dicts on the way are
 * created, list segments index into the list (the list's length appends). The root id `""`
 * replaces the whole root (which must be a mapping). Returns the new root.
 */
export function setPath(
  root: Dict,
  id: string,
  value: unknown,
  location?: SourceLocation,
  ErrorClass: typeof ConfigError = OverrideError,
): Dict {
  const segs = splitId(id);
  if (segs.length === 0) {
    if (!isDict(value)) {
      throw new ErrorClass(`The config root must be a mapping, got ${kind(value)}`, {
        id,
        location,
      });
    }
    return value;
  }
  let node: Container = root;
  let nodeId = "";
  for (let k = 0; k < segs.length; k++) {
    const seg = segs[k];
    const isLast = k === segs.length - 1;
    const nextId = childId(nodeId, seg);
    if (Array.isArray(node)) {
      const i = listIndex(seg);
      const limit = isLast ? node.length : node.length - 1;
      if (i === undefined || i > limit) {
        throw new ErrorClass(
          `Cannot set '${id}': '${nodeId}' is a list of ${node.length} items, and '${seg}' ` +
            `is not a valid index into it`,
          { id, location },
        );
      }
      if (isLast) {
        if (i === node.length) pushChild(node, value, location);
        else setChild(node, seg, value, location);
        return root;
      }
    } else if (isLast) {
      setChild(node, seg, value, location);
      return root;
    }
    let next = getChild(node, seg);
    if (!hasChild(node, seg) || next === null || next === undefined) {
      next = {};
      setChild(node, seg, next, location);
    } else if (!isContainer(next)) {
      throw new ErrorClass(
        `Cannot set '${id}': '${nextId}' holds ${kind(next)}, not a mapping or a list`,
        { id, location },
      );
    }
    node = next as Container;
    nodeId = nextId;
  }
  return root;
}
