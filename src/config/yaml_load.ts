/**
 * Reading YAML config files into raw trees that remember the line of every key and list item.
 *
 * @module
 */

import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "../deps.ts";
import type { YamlDocument } from "../deps.ts";
import { ConfigFileError, ConfigYamlError } from "./errors.ts";
import { type Dict, pushChild, setChild } from "./tree.ts";

/** True for a `.yaml` or `.yml` path (any case). */
export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

function checkYamlPath(path: string): void {
  if (!isYamlPath(path)) {
    throw new ConfigFileError(
      `Unknown config file '${path}': a config must be a YAML file (.yaml or .yml)`,
    );
  }
}

function lineOf(lc: LineCounter, node: unknown): number {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? lc.linePos(range[0]).line : 0;
}

function convert(
  node: unknown,
  doc: YamlDocument,
  lc: LineCounter,
  file: string,
  depth = 0,
): unknown {
  if (depth > 200) throw new ConfigYamlError("YAML nesting is too deep (an alias cycle?)");
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return convert(node.resolve(doc), doc, lc, file, depth + 1);
  if (isScalar(node)) return node.value;
  if (isMap(node)) {
    const out: Dict = {};
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key;
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      if (key === undefined) {
        throw new ConfigYamlError("Config keys must be plain scalars (no complex keys)", {
          location: { file, line: lineOf(lc, keyNode) },
        });
      }
      const line = lineOf(lc, keyNode) || lineOf(lc, pair.value);
      setChild(out, key, convert(pair.value, doc, lc, file, depth + 1), { file, line });
    }
    return out;
  }
  if (isSeq(node)) {
    const out: unknown[] = [];
    for (const item of node.items) {
      pushChild(out, convert(item, doc, lc, file, depth + 1), { file, line: lineOf(lc, item) });
    }
    return out;
  }
  return (node as { toJSON?: () => unknown }).toJSON?.() ?? null;
}

/**
 * Parses YAML text into a raw config tree (a dict), remembering the line of every key and list
 * item. An empty text gives `{}`; a syntax error or a non-mapping top level throws
 * {@link ConfigYamlError} naming `file:LINE`.
 *
 * @example
 * ```ts
 * import { parseConfigYaml } from "lumen";
 * const tree = parseConfigYaml("trainer:\n  max_epochs: 3\n", "a.yaml");
 * console.log(tree); // { trainer: { max_epochs: 3 } }
 * ```
 */
export function parseConfigYaml(text: string, file = "<string>"): Record<string, unknown> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err.linePos?.[0]?.line ?? lc.linePos(err.pos[0]).line;
    const msg = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new ConfigYamlError(`YAML syntax error: ${msg}`, { location: { file, line } });
  }
  const value = convert(doc.contents, doc, lc, file);
  if (value === null) return {};
  if (Array.isArray(value) || typeof value !== "object") {
    throw new ConfigYamlError(
      `The top level of a config must be a mapping (key: value), got ${
        Array.isArray(value) ? "a list" : typeof value
      }`,
      { location: { file, line: lineOf(lc, doc.contents) || 1 } },
    );
  }
  return value as Dict;
}

function fileError(path: string, e: unknown): ConfigFileError {
  if (e instanceof Deno.errors.NotFound) {
    return new ConfigFileError(
      `Config file '${path}' not found (paths are relative to ${Deno.cwd()})`,
    );
  }
  if (e instanceof Deno.errors.IsADirectory) {
    return new ConfigFileError(`Config file '${path}' is a directory`);
  }
  return new ConfigFileError(`Cannot read config file '${path}': ${(e as Error).message}`, {
    cause: e,
  });
}

/** Reads and parses one YAML config file (relative paths resolve against the working directory). */
export async function loadConfigFile(path: string): Promise<Dict> {
  checkYamlPath(path);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw fileError(path, e);
  }
  return parseConfigYaml(text, path);
}

/** The synchronous twin of {@link loadConfigFile}, used for `%file.yaml::id` at resolve time. */
export function loadConfigFileSync(path: string): Dict {
  checkYamlPath(path);
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw fileError(path, e);
  }
  return parseConfigYaml(text, path);
}
