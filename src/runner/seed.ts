/**
 * `seedEverything`: Lightning's `seed_everything` for lumen. One seed for every random draw that
 * follows (initialisation, dropout, `rand`), taken from the argument or the environment.
 *
 * @module
 */

import { manualSeed } from "../tensor/random_state.ts";

/** The largest seed (seeds are unsigned 32-bit integers, as in Lightning). */
export const MAX_SEED = 0xffffffff;

/** The environment variables read for a seed, in order of precedence. */
export const SEED_ENV_VARS: readonly string[] = ["PL_GLOBAL_SEED", "LUMEN_SEED"];

function readEnv(name: string): string | undefined {
  try {
    const v = Deno.env.get(name);
    return v === undefined || v.trim() === "" ? undefined : v;
  } catch (e) {
    // Without --allow-env the variable cannot be read: say so rather than silently seeding 0.
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new Error(
        `seedEverything: cannot read the environment variable ${name} (${
          (e as Error).message
        }); pass a seed, or run with --allow-env`,
        { cause: e },
      );
    }
    throw e;
  }
}

function checkSeed(seed: unknown, source: string): number {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    const shown = typeof seed === "string" ? JSON.stringify(seed) : String(seed);
    throw new RangeError(
      `seedEverything: ${source} must be an integer from 0 to ${MAX_SEED}, got ${shown}`,
    );
  }
  return seed;
}

function parseEnvSeed(name: string, text: string): number {
  const t = text.trim();
  if (!/^\+?\d+$/.test(t)) {
    throw new RangeError(
      `seedEverything: the environment variable ${name} must be an integer from 0 to ${MAX_SEED}, ` +
        `got ${JSON.stringify(text)}`,
    );
  }
  return checkSeed(Number(t), `the environment variable ${name}`);
}

/**
 * Seeds lumen's global generator (as Lightning's `seed_everything`) and returns the seed used:
 * `seed` when given, else the environment variable `PL_GLOBAL_SEED`, else `LUMEN_SEED`, else 0
 * (Lightning 2.x). A seed must be an integer from 0 to 2³²-1; anything else (`1.5`, `-1`, `abc`)
 * is a `RangeError` that names where the value came from. An empty variable counts as unset.
 *
 * @example
 * ```ts
 * import { rand, seedEverything } from "lumen";
 * console.log(seedEverything(42)); // 42
 * const a = await rand([2]).data();
 * seedEverything(42);
 * const b = await rand([2]).data();
 * console.log(a[0] === b[0] && a[1] === b[1]); // true
 * ```
 */
export function seedEverything(seed?: number): number {
  let value: number;
  if (seed !== undefined && seed !== null) {
    value = checkSeed(seed, "the seed");
  } else {
    value = 0;
    for (const name of SEED_ENV_VARS) {
      const text = readEnv(name);
      if (text !== undefined) {
        value = parseEnvSeed(name, text);
        break;
      }
    }
  }
  manualSeed(value);
  return value;
}
