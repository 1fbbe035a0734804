/** Version numbering shared by the file loggers (Lightning's `_get_next_version`). */
import { pyJoin } from "../callbacks/python_compat.ts";

/** The folder's highest `version_N` + 1 (0 when there is none), as Lightning picks it. */
export function nextVersion(root: string): number {
  let highest = -1;
  try {
    for (const entry of Deno.readDirSync(root)) {
      if (!entry.name.startsWith("version_")) continue;
      let isDir = entry.isDirectory;
      if (entry.isSymlink) {
        try {
          isDir = Deno.statSync(pyJoin(root, entry.name)).isDirectory;
        } catch {
          isDir = false;
        }
      }
      const n = entry.name.split("_")[1];
      if (isDir && /^\d+$/.test(n)) highest = Math.max(highest, Number(n));
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return 0;
    throw e;
  }
  return highest + 1;
}

/** `rootDir/version_N`, or `rootDir/<version>` for a version given as a string. */
export function versionDir(rootDir: string, version: number | string): string {
  return pyJoin(rootDir, typeof version === "string" ? version : `version_${version}`);
}
