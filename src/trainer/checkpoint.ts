/**
 * `.ckpt` files: safetensors files holding the system's weights (`model.*`, as Lightning's
 * state_dict) and the optimizer's state tensors (`optimizer.state.<param>.<name>`), with the rest
 * of Lightning's checkpoint as JSON metadata strings: `epoch`, `global_step`, `loops`,
 * `optimizer_states`, `lr_schedulers`, `callbacks`, `hyper_parameters`, `rng`,
 * `lumen_version`. Written to a temporary name, synced and renamed, so a crash at any moment
 * leaves the previous file whole. Python reads them with `safetensors.torch.load_file`.
 *
 * @module
 */
import { Tensor } from "../tensor/tensor.ts";
import { tensor } from "../tensor/creation.ts";
import { packValues } from "../ops/pack.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type HostTensor,
  SafetensorsError,
} from "../io/safetensors_format.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import type { OptimizerStateDict, ParamState } from "../optim/optimizer.ts";

/** Marks a file as a lumen checkpoint (and its layout version). */
export const CHECKPOINT_FORMAT = "lumen-checkpoint/1";

/** A checkpoint in memory: tensors by name and the JSON parts by key. */
export interface CheckpointData {
  /** Weights and optimizer state tensors. */
  tensors: Record<string, Tensor>;
  /** The JSON parts (`epoch`, `global_step`, `loops`, ...). */
  meta: Record<string, unknown>;
}

/** Copies device tensors to the host with one readback. */
export async function readToHost(
  tensors: Readonly<Record<string, Tensor>>,
): Promise<Record<string, HostTensor>> {
  const entries = Object.entries(tensors);
  const out: Record<string, HostTensor> = {};
  if (entries.length === 0) return out;
  const packed = packValues(entries.map(([, t]) => t));
  const pending = packed.data();
  packed.dispose();
  const flat = await pending;
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = flat.buffer.slice(
      flat.byteOffset + offset * 4,
      flat.byteOffset + (offset + t.size) * 4,
    );
    out[name] = {
      shape: [...t.shape],
      dtype: t.dtype,
      data: t.dtype === "float32" ? new Float32Array(bytes) : new Int32Array(bytes),
    };
    offset += t.size;
  }
  return out;
}

/** Writes `data` to `path` atomically (creating its directory). */
export async function writeCheckpoint(path: string, data: CheckpointData): Promise<void> {
  const host = await readToHost(data.tensors);
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT };
  for (const [k, v] of Object.entries(data.meta)) metadata[k] = JSON.stringify(v ?? null);
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
  await writeFileAtomic(path, encodeSafetensors(host, metadata));
}

/** Reads a checkpoint written by `writeCheckpoint`; errors name the file. */
export async function readCheckpoint(path: string): Promise<CheckpointData> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`Checkpoint file not found: ${path}`);
    throw e;
  }
  const file = decodeSafetensors(bytes, path);
  if (file.metadata.format !== CHECKPOINT_FORMAT) {
    throw new SafetensorsError(
      path,
      `it is not a lumen checkpoint (no format '${CHECKPOINT_FORMAT}' in its metadata); load ` +
        "plain weights with lumen.load() and model.loadStateDict()",
    );
  }
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(file.metadata)) {
    if (k === "format") continue;
    try {
      meta[k] = JSON.parse(v);
    } catch {
      throw new SafetensorsError(path, `its metadata '${k}' is not JSON`);
    }
  }
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(file.tensors)) {
    tensors[k] = tensor(t.data, { shape: t.shape, dtype: t.dtype });
  }
  return { tensors, meta };
}

const OPT_PREFIX = "optimizer.state.";

/** An optimizer state dict split into tensors (`optimizer.state.<i>.<name>`) and JSON. */
export function splitOptimizerState(
  dict: OptimizerStateDict,
): { tensors: Record<string, Tensor>; json: Record<string, unknown> } {
  const tensors: Record<string, Tensor> = {};
  const state: Record<string, Record<string, number>> = {};
  for (const [index, entry] of Object.entries(dict.state)) {
    const numbers: Record<string, number> = {};
    for (const [name, value] of Object.entries(entry)) {
      if (value instanceof Tensor) tensors[`${OPT_PREFIX}${index}.${name}`] = value;
      else numbers[name] = value;
    }
    state[index] = numbers;
  }
  return { tensors, json: { state, param_groups: dict.param_groups } };
}

/** Puts an optimizer state dict back together from `splitOptimizerState`'s parts. */
export function joinOptimizerState(
  tensors: Readonly<Record<string, Tensor>>,
  json: { state: Record<string, Record<string, number>>; param_groups: Record<string, unknown>[] },
): OptimizerStateDict {
  const state: Record<number, ParamState> = {};
  for (const [index, numbers] of Object.entries(json.state ?? {})) {
    state[Number(index)] = { ...numbers };
  }
  for (const [key, t] of Object.entries(tensors)) {
    if (!key.startsWith(OPT_PREFIX)) continue;
    const rest = key.slice(OPT_PREFIX.length);
    const dot = rest.indexOf(".");
    const index = Number(rest.slice(0, dot));
    (state[index] ??= {})[rest.slice(dot + 1)] = t;
  }
  return { state, param_groups: json.param_groups };
}

/** The weights part of a checkpoint's tensors (everything but optimizer state). */
export function weightsOf(tensors: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) if (!k.startsWith(OPT_PREFIX)) out[k] = t;
  return out;
}
