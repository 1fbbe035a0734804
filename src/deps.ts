/**
 * Every third-party dependency of lumen, in one place: full `npm:` specifiers pinned to a major,
 * so that a URL import of mod.ts (which ignores deno.json's import map) resolves them too.
 *
 * @module
 */
export { parse as parseYaml, parseDocument, stringify as stringifyYaml } from "npm:yaml@^2";
export type { Document as YamlDocument } from "npm:yaml@^2";
export { isAlias, isMap, isPair, isScalar, isSeq, LineCounter } from "npm:yaml@^2";
