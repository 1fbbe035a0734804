/** Writing a file so that readers see the old contents or the new, never a partial file. */

/** Writes `data` to a temporary file in `path`'s directory, syncs it, and renames it over `path`. */
export async function writeFileAtomic(path: string | URL, data: Uint8Array): Promise<void> {
  const target = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  const slash = target.lastIndexOf("/");
  const dir = slash >= 0 ? target.slice(0, slash + 1) : "";
  const base = target.slice(slash + 1);
  // Same directory, so the rename stays on one file system and is atomic.
  const temp = `${dir}.${base}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    const file = await Deno.open(temp, { write: true, createNew: true });
    try {
      let written = 0;
      while (written < data.length) written += await file.write(data.subarray(written));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temp, target);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}
