/**
 * lumen's version, as in deno.json (a test checks that they agree). A TS constant rather than a
 * read of deno.json, so that `deno compile` binaries and URL imports know it too.
 *
 * @module
 */

/** The version of lumen (deno.json's `version`). */
export const VERSION = "0.1.0";
