/**
 * `ckpt_path` with Lightning's meaning: a path, `best` (this trainer's best checkpoint), `last`
 * (the newest `last*.ckpt` in the checkpoint folders), or null. A relative path that does not
 * exist from the working directory is also looked for in the checkpoint folders, newest run
 * first, so `args::test::ckpt_path=best.ckpt` finds the file a previous `fit` wrote.
 *
 * @module
 */
import type { Trainer } from "./trainer.ts";
import { exists } from "../util/fs.ts";

async function mtime(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

/** Folders where checkpoints of earlier runs may be: explicit dirpaths, then versions, newest first. */
async function checkpointFolders(trainer: Trainer): Promise<string[]> {
  const out: string[] = [];
  for (const c of trainer.checkpointCallbacks) if (c.dirpath) out.push(c.dirpath);
  for (const logger of trainer.loggers) {
    const root = `${logger.saveDir}/${logger.name}`;
    const versions: { dir: string; n: number }[] = [];
    try {
      for await (const e of Deno.readDir(root)) {
        const m = /^version_(\d+)$/.exec(e.name);
        if (e.isDirectory && m) versions.push({ dir: `${root}/${e.name}`, n: Number(m[1]) });
      }
    } catch {
      // No runs yet.
    }
    versions.sort((a, b) => b.n - a.n);
    for (const v of versions) out.push(`${v.dir}/checkpoints`);
  }
  out.push(`${trainer.defaultRootDir}/checkpoints`);
  return [...new Set(out)];
}

/** The checkpoint file to load for `stage`, or null to use the weights in memory. */
export async function resolveCkptPath(
  trainer: Trainer,
  stage: string,
  ckptPath: string | null,
): Promise<string | null> {
  if (ckptPath === null || ckptPath === undefined || ckptPath === "") return null;
  if (typeof ckptPath !== "string") {
    throw new TypeError(`${stage}: ckpt_path must be a path, "best", "last" or null`);
  }
  if (ckptPath === "best") {
    if (trainer.fastDevRun) {
      throw new Error(
        `You cannot execute \`.${stage}(ckpt_path="best")\` with \`fast_dev_run=True\`. Please ` +
          `pass an exact checkpoint path to \`.${stage}(ckpt_path=...)\``,
      );
    }
    const cb = trainer.checkpointCallbacks[0];
    if (!cb) {
      throw new Error(
        `\`.${stage}(ckpt_path="best")\` is set but \`ModelCheckpoint\` is not configured.`,
      );
    }
    if (!cb.bestModelPath) {
      throw new Error(
        `\`.${stage}(ckpt_path="best")\` is set but \`ModelCheckpoint\` is not configured to save ` +
          "the best model. (In a new process, pass the file instead: ckpt_path=best.ckpt or a path.)",
      );
    }
    return cb.bestModelPath;
  }
  if (ckptPath === "last") {
    let best: { path: string; t: number } | null = null;
    for (const dir of await checkpointFolders(trainer)) {
      try {
        for await (const e of Deno.readDir(dir)) {
          if (!e.isFile || !/^last.*\.ckpt$/.test(e.name)) continue;
          const path = `${dir}/${e.name}`;
          const t = await mtime(path);
          if (!best || t > best.t) best = { path, t };
        }
      } catch {
        // Missing folder.
      }
    }
    if (!best) {
      console.warn(
        `.${stage}(ckpt_path="last") is set, but there is no last checkpoint available. No ` +
          "checkpoint will be loaded. HINT: Set `ModelCheckpoint(..., save_last=True)`.",
      );
      return null;
    }
    return best.path;
  }
  if (await exists(ckptPath)) return ckptPath;
  const looked: string[] = [];
  if (!ckptPath.startsWith("/")) {
    for (const dir of await checkpointFolders(trainer)) {
      const candidate = `${dir}/${ckptPath}`;
      looked.push(dir);
      if (await exists(candidate)) return candidate;
    }
  }
  throw new Error(
    `Checkpoint file not found: ${ckptPath}` +
      (looked.length ? ` (also looked in ${looked.join(", ")})` : ""),
  );
}
