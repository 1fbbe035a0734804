/** Helpers of the tuner tests: exact snapshots of a system's state, the CSV the sweep writes. */
import type { System, Tensor } from "../../mod.ts";

/** The bytes of every weight, buffer and optimizer state tensor, and the optimizer's hyperparameters. */
export async function stateBytes(system: System): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const bytes = async (t: Tensor): Promise<number[]> =>
    Array.from(new Uint8Array((await t.data()).buffer));
  for (const [k, t] of Object.entries(system.stateDict())) out[k] = await bytes(t);
  const sd = system.optimizer!.stateDict();
  for (const [i, s] of Object.entries(sd.state)) {
    for (const [name, v] of Object.entries(s)) {
      out[`opt.${i}.${name}`] = typeof v === "number" ? v : await bytes(v as Tensor);
    }
  }
  out.groups = JSON.parse(JSON.stringify(sd.param_groups));
  return out;
}

/** lr_find.csv as its header and rows of numbers. */
export async function readLrCsv(path: string): Promise<{ header: string; rows: number[][] }> {
  const [header, ...lines] = (await Deno.readTextFile(path)).trimEnd().split("\n");
  return { header, rows: lines.map((l) => l.split(",").map(Number)) };
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "lumen-tuner-" });
}
