/**
 * Helpers of the example tests: a fake Fashion-MNIST (Lighter's and the examples' IDX layout,
 * full size, so the configs' 55,000/5,000 split and 5 folds of 12,000 work as written), the CLI
 * as a subprocess from the repository root, and readers for what the runs leave.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fakeMnist, idxBytes } from "../data/_files.ts";
import { cliProcess, type CliRun, errorLines } from "../cli/helpers.ts";
import { decodeSafetensors } from "../../src/io/safetensors_format.ts";
import { parseYaml } from "../../src/deps.ts";

/** Images in the fake training split (as Fashion-MNIST's). */
export const TRAIN_COUNT = 60000;
/** Images in the fake test split. */
export const TEST_COUNT = 10000;

/**
 * A temporary folder holding `data/` (fake Fashion-MNIST IDX files: image i has pixels
 * `(i * 7 + p) % 256`, label `i % 10`) and an empty `out/` for runs.
 */
export async function workspace(
  prefix: string,
): Promise<{ root: string; data: string; out: string }> {
  const root = await Deno.makeTempDir({ prefix });
  const data = join(root, "data"), out = join(root, "out");
  await Deno.mkdir(data);
  await Deno.mkdir(out);
  for (const [split, count] of [["train", TRAIN_COUNT], ["t10k", TEST_COUNT]] as const) {
    const { images, labels } = fakeMnist(count, 28, 28);
    await Deno.writeFile(
      join(data, `${split}-images-idx3-ubyte`),
      idxBytes([count, 28, 28], images),
    );
    await Deno.writeFile(join(data, `${split}-labels-idx1-ubyte`), idxBytes([count], labels));
  }
  return { root, data, out };
}

/** The label of fake sample `i` (both splits). */
export function fakeLabel(i: number): number {
  return i % 10;
}

/** `deno run -A cli.ts <args>` from the repository root; fails the test on a non-zero exit. */
export async function lumen(args: string[]): Promise<CliRun> {
  const run = await cliProcess(args, { env: { NO_COLOR: "1" } });
  assert.equal(
    run.code,
    0,
    `lumen ${args.join(" ")} exited with ${run.code}:\n${errorLines(run.stderr).join("\n")}`,
  );
  return run;
}

/** metrics.csv rows: numbers by column, empty cells left out. */
export async function metricsRows(path: string): Promise<Record<string, number>[]> {
  const [header, ...lines] = (await Deno.readTextFile(path)).trim().split("\n");
  const names = header.split(",");
  return lines.map((line) => {
    const row: Record<string, number> = {};
    line.split(",").forEach((v, i) => {
      if (v !== "") row[names[i]] = Number(v);
    });
    return row;
  });
}

/** The epochs of a run's validation epoch rows (one per validated epoch). */
export function validatedEpochs(rows: Record<string, number>[]): number[] {
  return rows.filter((r) => "val/loss/epoch" in r).map((r) => r.epoch);
}

/** Every file under `dir`, relative to it, sorted. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

/** A checkpoint's tensors (host copies) and its JSON metadata, read back from the file. */
export async function readCkpt(
  path: string,
): Promise<
  {
    tensors: Record<string, { shape: number[]; data: ArrayLike<number> }>;
    meta: Record<string, unknown>;
  }
> {
  const file = decodeSafetensors(await Deno.readFile(path), path);
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(file.metadata)) {
    meta[k] = k === "format" ? v : JSON.parse(v);
  }
  return { tensors: file.tensors, meta };
}

/** A run's hparams.yaml (the raw config it ran with). */
export async function hparams(runDir: string): Promise<Record<string, unknown>> {
  return parseYaml(await Deno.readTextFile(join(runDir, "hparams.yaml"))) as Record<
    string,
    unknown
  >;
}

/** The value of `metric` in a printed results table (DataLoader 0). */
export function tableValue(table: string, metric: string): number {
  const line = table.split("\n").find((l) => l.trim().split(/\s+/)[0] === metric);
  assert.ok(line, `no row ${metric} in:\n${table}`);
  return Number(line.trim().split(/\s+/)[1]);
}

/**
 * Settings that keep a run to two batches a loop. (A limit of 1 would mean every batch: lumen
 * reads YAML's 1 and 1.0 alike, as the fraction.)
 */
export const TINY = [
  "trainer::limit_train_batches=2",
  "trainer::limit_val_batches=2",
  "trainer::log_every_n_steps=1",
  "trainer::enable_progress_bar=false",
];
