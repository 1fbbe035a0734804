/** Shared helpers for the config tests. */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (tests run with it as the working directory). */
export const ROOT: string = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
Deno.chdir(ROOT);

/** A path under tests/config/fixtures, relative to the repository root. */
export function fixture(name: string): string {
  return `tests/config/fixtures/${name}`;
}

/** Writes YAML files into a fresh temporary directory; returns their paths by name. */
export async function writeYaml(files: Record<string, string>): Promise<Record<string, string>> {
  const dir = await Deno.makeTempDir({ prefix: "lumen_config_test_" });
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    out[name] = join(dir, name);
    await Deno.writeTextFile(out[name], text);
  }
  return out;
}

/** Asserts that `fn` throws (or rejects with) an error of class `cls` whose message matches. */
export async function rejects(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => Error,
  ...patterns: (RegExp | string)[]
): Promise<Error> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `expected ${cls.name} but nothing was thrown`);
  assert.ok(
    error instanceof cls,
    `expected ${cls.name}, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
  );
  for (const p of patterns) {
    const msg = (error as Error).message;
    if (typeof p === "string") {
      assert.ok(msg.includes(p), `message ${JSON.stringify(msg)} lacks ${JSON.stringify(p)}`);
    } else assert.match(msg, p);
  }
  assert.equal((error as Error).name, cls.name);
  return error as Error;
}
