/** Small file-system steps shared by ModelCheckpoint and the CSV logger. */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
export { exists } from "../../util/fs.ts";

/** Removes a file, link or folder; a path that is already gone is fine. */
export async function removePath(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** Makes `path`'s parent folder (and its parents). */
export async function makeParent(path: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
}

/** `os.path.realpath(os.path.expanduser(p))`: absolute, `~` expanded, existing links resolved. */
export function realPath(p: string): string {
  let path = p;
  if (path === "~" || path.startsWith("~/")) {
    const home = Deno.env.get("HOME");
    if (home) path = home + path.slice(1);
  }
  path = isAbsolute(path) ? resolve(path) : resolve(Deno.cwd(), path);
  // Resolve links in the part that exists; keep the rest as written.
  const tail: string[] = [];
  let head = path;
  for (;;) {
    try {
      return join(Deno.realPathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return path;
      tail.push(head.slice(parent.length).replace(/^\//, ""));
      head = parent;
    }
  }
}

/** True when `path` lies inside folder `dir` (compared as absolute paths). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/** Replaces `linkPath` with a relative symlink to `target`. */
export async function linkTo(target: string, linkPath: string): Promise<void> {
  if (resolve(target) === resolve(linkPath)) return;
  await removePath(linkPath);
  await makeParent(linkPath);
  await Deno.symlink(relative(dirname(resolve(linkPath)), resolve(target)), linkPath);
}

/** Warnings shown once per process (Lightning's WarningCache). */
const warned = new Set<string>();

/** Prints `message` as a warning the first time it is seen. */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}
