/**
 * Preprocessing, done on a copy of the raw tree before resolution: relative ids (`@::x`,
 * `%::x`) become absolute, then every raw reference (`%id`, `%file.yaml::id`, `%file.yaml`) is
 * replaced by a fresh deep copy of the raw YAML it names (itself preprocessed).
 *
 * @module
 */

import { CircularReferenceError, ConfigKeyError, type SourceLocation } from "./errors.ts";
import {
  absoluteId,
  classifyString,
  closest,
  didYouMean,
  rewriteRelativeRefs,
  splitRawRef,
} from "./ids.ts";
import { normalize } from "./merge.ts";
import {
  allIds,
  childId,
  childLocation,
  deepCopy,
  type Dict,
  isDict,
  lookup,
  pushChild,
  setChild,
} from "./tree.ts";
import { loadConfigFileSync } from "./yaml_load.ts";

/** Rewrites a relative raw reference `%::x` at `id` to `%abs::x`; others are returned as is. */
function rewriteRelativeRaw(s: string, id: string, location?: SourceLocation): string {
  const m = /^%((?:::)+)(.*)$/.exec(s);
  if (!m) return s;
  return "%" + absoluteId(id, m[1].length / 2, m[2], s, location);
}

/** Which relative references {@link absolutize} rewrites. */
interface Which {
  raw: boolean;
  refs: boolean;
}

/** A copy of `value` (at `id`) with relative references (`%::x`, `@::x`) made absolute. */
export function absolutize(
  value: unknown,
  id: string,
  location?: SourceLocation,
  which: Which = { raw: true, refs: true },
): unknown {
  if (typeof value === "string") {
    const k = classifyString(value);
    if (k === "raw") return which.raw ? rewriteRelativeRaw(value, id, location) : value;
    if (which.refs && (k === "ref" || k === "expr" || k === "bad-ref")) {
      return rewriteRelativeRefs(value, id, location);
    }
    return value;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((v, i) => {
      const loc = childLocation(value, String(i));
      pushChild(out, absolutize(v, childId(id, i), loc ?? location, which), loc);
    });
    return out;
  }
  if (isDict(value)) {
    const out: Dict = {};
    for (const [k, v] of Object.entries(value)) {
      const loc = childLocation(value, k);
      setChild(out, k, absolutize(v, childId(id, k), loc ?? location, which), loc);
    }
    return out;
  }
  return value;
}

interface ChainEntry {
  file: string;
  id: string;
}

/** Expands raw references; one instance per preprocessing pass. */
class RawExpander {
  readonly #root: Dict;
  readonly #files = new Map<string, Dict>();

  constructor(root: Dict) {
    this.#root = root;
  }

  #fileTree(path: string): Dict {
    let tree = this.#files.get(path);
    if (!tree) {
      // `%::x` is made absolute within the file; `@::x` stays relative until the copy lands.
      tree = absolutize(normalize(loadConfigFileSync(path)), "", undefined, {
        raw: true,
        refs: false,
      }) as Dict;
      this.#files.set(path, tree);
    }
    return tree;
  }

  /** Expands every raw reference in `value`, whose original position is (`file`, `id`). */
  expand(
    value: unknown,
    file: string,
    id: string,
    chain: ChainEntry[],
    location?: SourceLocation,
  ): unknown {
    if (typeof value === "string") {
      if (classifyString(value) !== "raw") return value;
      return this.#expandRaw(value, { file, id }, chain, location);
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        const loc = childLocation(value, String(i));
        const out = this.expand(v, file, childId(id, i), chain, loc ?? location);
        if (out !== v) setChild(value, String(i), out, loc);
      });
      return value;
    }
    if (isDict(value)) {
      for (const [k, v] of Object.entries(value)) {
        const loc = childLocation(value, k);
        const out = this.expand(v, file, childId(id, k), chain, loc ?? location);
        if (out !== v) setChild(value, k, out, loc);
      }
      return value;
    }
    return value;
  }

  #expandRaw(
    text: string,
    own: ChainEntry,
    chain: ChainEntry[],
    location?: SourceLocation,
  ): unknown {
    const parsed = splitRawRef(text.slice(1));
    const id = parsed.id;
    // A plain `%id` inside a copy from another file names an id of that same file.
    const file = parsed.file || own.file;
    const tree = file ? this.#fileTree(file) : this.#root;
    const here = [...chain, own];
    const covers = (e: ChainEntry): boolean =>
      e.file === file && (id === "" || e.id === id || e.id.startsWith(id + "::"));
    if (here.some(covers)) {
      const names = [...here.map((e) => (e.file ? `%${e.file}::${e.id}` : `%${e.id}`)), text];
      throw new CircularReferenceError(
        `Circular raw reference: '${text}' contains itself (chain: ${names.join(" -> ")})`,
        here.map((e) => e.id),
        { id: own.id, location },
      );
    }
    const found = lookup(tree, id);
    if (!found.found) {
      const hint = didYouMean(closest(id, allIds(tree)), file ? `%${file}::` : "%");
      throw new ConfigKeyError(
        `Raw reference '${text}' not found${file ? ` in '${file}'` : ""}.${hint}`,
        { id: own.id, location },
      );
    }
    const copy = this.expand(deepCopy(found.value), file, id, here, location);
    // Relative `@::x` in a copy from another file is relative to where the copy lands.
    if (file && !own.file) return absolutize(copy, own.id, location, { raw: false, refs: true });
    return copy;
  }
}

/** The preprocessed copy of a raw config: relative ids absolute, raw references expanded. */
export function preprocess(raw: Dict): Dict {
  const root = absolutize(raw, "") as Dict;
  return new RawExpander(root).expand(root, "", "", []) as Dict;
}
