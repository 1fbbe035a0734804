/**
 * File-system checks shared by every layer (datasets, checkpoints, loggers).
 *
 * @module
 */

/** True when `path` exists (following symlinks, as Python's `os.path.exists`). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
