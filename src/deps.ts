/**
 * Every third-party dependency of lumen, in one place: full `npm:` specifiers pinned to a major,
 * so that a URL import of mod.ts (which ignores deno.json's import map) resolves them too.
 *
 * @module
 */
export { parse as parseYaml, parseDocument, stringify as stringifyYaml } from "npm:yaml@^2";
export type { Document as YamlDocument } from "npm:yaml@^2";
export { isAlias, isMap, isPair, isScalar, isSeq, LineCounter } from "npm:yaml@^2";
// Image decoding and encoding for lumen.datasets.ImageFolder (pure JS, so it runs in Workers).
export { decode as decodePng, encode as encodePng } from "npm:fast-png@^8";
export { default as jpegJs } from "npm:jpeg-js@^0";
// The command line (cli.ts): subcommands, --help and --version.
export { Command, CommanderError } from "npm:commander@^14";
// CSV reading and writing (CSVDataset, CSVLogger, TableWriter): pure JS, synchronous APIs.
export { parse as parseCsv } from "npm:csv-parse@^7/sync";
export { stringify as stringifyCsv } from "npm:csv-stringify@^6/sync";
