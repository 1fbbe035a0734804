/** Downloading dataset files: a progress bar on stderr, SHA-256 verification, atomic rename. */

/** Options of `downloadFile`. */
export interface DownloadOptions {
  /** Expected SHA-256 of the file, lower-case hex; the file is rejected when it differs. */
  sha256: string;
  /** Whether to draw a progress bar on stderr (default true). */
  progress?: boolean;
}

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

const encoder = new TextEncoder();

function drawBar(name: string, got: number, total: number | null): void {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  let line: string;
  if (total) {
    const width = 30, frac = Math.min(got / total, 1), done = Math.round(frac * width);
    line = `${name} [${"#".repeat(done)}${".".repeat(width - done)}] ` +
      `${(frac * 100).toFixed(0).padStart(3)}% ${mb(got)}/${mb(total)} MB`;
  } else {
    line = `${name} ${mb(got)} MB`;
  }
  Deno.stderr.writeSync(encoder.encode(`\r${line}`));
}

/**
 * Downloads `url` into memory and checks its SHA-256; nothing is returned (or written by the
 * callers) unless it matches. A network failure, an HTTP error, a short body and a wrong hash all
 * throw an error that names the URL.
 */
export async function downloadBytes(url: string, options: DownloadOptions): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    const cause = (e as Error).cause;
    const detail = cause instanceof Error ? ` (${cause.message})` : "";
    throw new Error(`Downloading ${url} failed: ${(e as Error).message}${detail}`, { cause: e });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`Downloading ${url} failed: HTTP ${response.status} ${response.statusText}`);
  }
  const length = Number(response.headers.get("content-length")) || null;
  const name = url.split("/").pop() ?? url;
  const show = options.progress ?? true;
  const chunks: Uint8Array[] = [];
  let got = 0, lastDraw = 0;
  try {
    for await (const chunk of response.body) {
      chunks.push(chunk);
      got += chunk.length;
      if (show && (got === length || performance.now() - lastDraw > 100)) {
        drawBar(name, got, length);
        lastDraw = performance.now();
      }
    }
  } catch (e) {
    throw new Error(`Downloading ${url} failed after ${got} bytes: ${(e as Error).message}`, {
      cause: e,
    });
  } finally {
    if (show) {
      drawBar(name, got, length ?? got);
      Deno.stderr.writeSync(encoder.encode("\n"));
    }
  }
  if (length !== null && got !== length) {
    throw new Error(`Downloading ${url} stopped after ${got} of ${length} bytes`);
  }
  const bytes = new Uint8Array(got);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  const actual = await sha256Hex(bytes);
  if (actual !== options.sha256.toLowerCase()) {
    throw new Error(
      `Downloaded ${url} has SHA-256 ${actual}, expected ${options.sha256}; the file was not kept`,
    );
  }
  return bytes;
}

/**
 * Downloads `url` to `dest`, verifying its SHA-256 before the file appears under its name
 * (it is written to `dest.part` first), so an interrupted or corrupted download never looks
 * complete. Returns the number of bytes.
 */
export async function downloadFile(
  url: string,
  dest: string,
  options: DownloadOptions,
): Promise<number> {
  const bytes = await downloadBytes(url, options);
  await writeAtomic(dest, bytes);
  return bytes.length;
}

/** Writes `bytes` to `dest.part`, then renames it to `dest`, so `dest` is never half written. */
export async function writeAtomic(dest: string, bytes: Uint8Array): Promise<void> {
  const part = `${dest}.part`;
  await Deno.writeFile(part, bytes);
  await Deno.rename(part, dest);
}
