/** Shared helpers for the runner and CLI tests. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the tests run with it as the working directory). */
export const ROOT: string = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
Deno.chdir(ROOT);

/** A path under tests/runner/fixtures, relative to the repository root. */
export function fixture(name: string): string {
  return `tests/runner/fixtures/${name}`;
}

/** Runs `fn` with environment variables set (undefined deletes), then restores them. */
export async function withEnv<T>(
  vars: Record<string, string | undefined>,
  fn: () => T | Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  const apply = (v: Record<string, string | undefined>): void => {
    for (const [k, x] of Object.entries(v)) {
      x === undefined ? Deno.env.delete(k) : Deno.env.set(k, x);
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}
