/**
 * Where the tuners write: the run folder, the first logger's version folder
 * (`save_dir/name/version_N`, beside hparams.yaml) or else `default_root_dir`.
 *
 * @module
 */
import { join } from "node:path";
import type { Trainer } from "../trainer/trainer.ts";

/** Writes `text` to `name` in the run folder (made when missing); returns the path. */
export async function writeRunFile(trainer: Trainer, name: string, text: string): Promise<string> {
  const dir = trainer.logDir ?? trainer.defaultRootDir;
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await Deno.writeTextFile(path, text);
  return path;
}
