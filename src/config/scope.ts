/**
 * The names a config can use in `_target_` and `$expressions`: `lumen` (the root mod.ts
 * namespace, imported lazily: mod.ts sits above config and imports it, so a static import would
 * be a cycle, and a config that names no `lumen.` target loads neither the library nor, through
 * mod.ts's `ready()`, the GPU) and `project` (the user's `project: ./dir`, whose `dir/mod.ts` is
 * imported at load).
 *
 * @module
 */

import { isAbsolute, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, ConfigFileError, type SourceLocation } from "./errors.ts";

let lumenPromise: Promise<{ ns: Record<string, unknown>; error?: string }> | undefined;

/** The `lumen` namespace (the root mod.ts), imported once; `{}` plus an error note if it fails. */
export function loadLumen(): Promise<{ ns: Record<string, unknown>; error?: string }> {
  lumenPromise ??= import("../../mod.ts").then(
    (ns) => ({ ns: ns as Record<string, unknown> }),
    (e) => ({ ns: {}, error: `the lumen namespace failed to load: ${(e as Error)?.message ?? e}` }),
  );
  return lumenPromise;
}

/**
 * Imports `<dir>/mod.ts` for `project: dir` (relative to the working directory). A missing
 * directory or mod.ts, or a module that throws while loading, is a {@link ConfigFileError}.
 */
export async function importProject(
  dir: string,
  location?: SourceLocation,
): Promise<Record<string, unknown>> {
  const ctx = { id: "project", location };
  const abs = isAbsolute(dir) ? dir : resolvePath(Deno.cwd(), dir);
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(abs);
  } catch {
    throw new ConfigFileError(
      `Project directory '${dir}' not found (paths are relative to ${Deno.cwd()})`,
      ctx,
    );
  }
  if (!stat.isDirectory) {
    throw new ConfigFileError(`Project '${dir}' is not a directory (it must hold a mod.ts)`, ctx);
  }
  const modPath = resolvePath(abs, "mod.ts");
  try {
    await Deno.stat(modPath);
  } catch {
    throw new ConfigFileError(
      `Project directory '${dir}' has no mod.ts (the project module is '${dir}/mod.ts')`,
      ctx,
    );
  }
  try {
    return await import(pathToFileURL(modPath).href) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(
      `Failed to import the project module '${dir}/mod.ts': ${(e as Error)?.message ?? e}`,
      { ...ctx, cause: e },
    );
  }
}
