/** Reading data files: plain or gzipped (web-standard `DecompressionStream`, no dependency). */
import { DataFormatError } from "../errors.ts";
export { exists } from "../../util/fs.ts";

/** Whether bytes start with gzip's magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips `bytes`; a corrupt or truncated stream throws a `DataFormatError` naming `file`. */
export async function gunzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  try {
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataFormatError(
      `the gzip stream is corrupt or truncated (${(e as Error).message})`,
      { file, cause: e },
    );
  }
}

/** A file's bytes, gunzipped when they are gzip (by content, not by name). */
export async function readMaybeGzip(path: string): Promise<Uint8Array> {
  const raw = await Deno.readFile(path);
  return isGzip(raw) ? await gunzip(raw, path) : raw;
}
