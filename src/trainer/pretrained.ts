/**
 * `adjustPrefixAndLoadStateDict`: Lighter's `adjust_prefix_and_load_state_dict`, for fine-tuning
 * from a config: pretrained weights from a `.ckpt` (or a plain safetensors file) into a model whose
 * keys differ by a prefix. Synchronous, so a config can build the model with it.
 *
 * @module
 */
import type { AnyModule } from "../nn/module.ts";
import { Module } from "../nn/module.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { tensor } from "../tensor/creation.ts";
import { decodeSafetensors, type HostTensor } from "../io/safetensors_format.ts";
import { checkOptions, closestNames } from "../util/options.ts";
import { CHECKPOINT_FORMAT } from "./checkpoint.ts";

/** Options of {@link adjustPrefixAndLoadStateDict} (Lighter's arguments in camelCase). */
export interface AdjustPrefixOptions<M extends AnyModule = AnyModule> {
  /** The model to load the weights into (in place); it is also what the function returns. */
  model: M;
  /**
   * A lumen checkpoint (`.ckpt`: its `model.` weights are taken, the optimizer state left out) or
   * a safetensors file of a bare state dict (`save(path, model.stateDict())`, or from PyTorch).
   */
  ckptPath: string;
  /**
   * Checkpoint prefix → model prefix (`{backbone: ""}`, `{"": "encoder"}`); a `.` is added to a
   * non-empty prefix that lacks one. Only the keys under a listed checkpoint prefix are kept.
   */
  ckptToModelPrefix?: Record<string, string> | null;
  /** Keys (after the prefix change) to leave out: a whole key, or a module name for its keys. */
  layersToIgnore?: readonly string[] | null;
  /** Throw when model keys are missing or checkpoint keys unexpected (default false, as Lighter). */
  strict?: boolean;
}

const OWNER = "adjustPrefixAndLoadStateDict";
const OPTIONS = [
  "model",
  "ckptPath",
  "ckptToModelPrefix",
  "layersToIgnore",
  "strict",
] as const satisfies readonly (keyof AdjustPrefixOptions)[];

/** `first, ..., last` of a key list, as Lighter's no-overlap message prints it. */
function span(keys: readonly string[]): string {
  if (keys.length === 0) return "[]";
  return keys.length === 1 ? keys[0] : `${keys[0]}, ..., ${keys[keys.length - 1]}`;
}

/** A list for a message: every item up to `max`, then how many more. */
function listed(keys: readonly string[], max = 6): string {
  const shown = keys.slice(0, max).join(", ");
  return keys.length > max ? `${shown} (+${keys.length - max} more)` : shown;
}

function withDot(prefix: string): string {
  return prefix && !prefix.endsWith(".") ? `${prefix}.` : prefix;
}

/** The module names that hold `keys` (`a`, `a.b` for `a.b.weight`). */
function moduleNames(keys: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const k of keys) {
    const parts = k.split(".");
    for (let i = 1; i < parts.length; i++) names.add(parts.slice(0, i).join("."));
  }
  return names;
}

/** The checkpoint's weights by key: a lumen `.ckpt`'s `model.*` tensors without that prefix. */
function readWeights(path: string): Record<string, HostTensor> {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${OWNER}: checkpoint file not found: ${path}`);
    }
    throw e;
  }
  const file = decodeSafetensors(bytes, path);
  if (file.metadata.format !== CHECKPOINT_FORMAT) return file.tensors;
  const out: Record<string, HostTensor> = {};
  for (const [key, t] of Object.entries(file.tensors)) {
    if (key.startsWith("model.")) out[key.slice("model.".length)] = t;
  }
  return out;
}

/** Checkpoint key → model key for the keys under a listed checkpoint prefix. */
function mapPrefixes(
  keys: readonly string[],
  mapping: Record<string, string>,
): Map<string, string> {
  const out = new Map<string, string>();
  const from = new Map<string, string>();
  for (const [rawCkpt, rawModel] of Object.entries(mapping)) {
    if (typeof rawModel !== "string") {
      throw new TypeError(
        `${OWNER}: ckptToModelPrefix['${rawCkpt}'] must be a string (a model prefix), got ` +
          JSON.stringify(rawModel),
      );
    }
    const ckptPrefix = withDot(rawCkpt), modelPrefix = withDot(rawModel);
    const matched = keys.filter((k) => k.startsWith(ckptPrefix));
    if (matched.length === 0) {
      const near = closestNames(rawCkpt.replace(/\.$/, ""), moduleNames(keys));
      throw new Error(
        `${OWNER}: no checkpoint key starts with '${ckptPrefix}' (ckptToModelPrefix).` +
          (near.length ? ` Did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "") +
          ` Checkpoint keys: ${listed(keys)}`,
      );
    }
    for (const key of matched) {
      const renamed = modelPrefix + key.slice(ckptPrefix.length);
      const earlier = from.get(renamed);
      if (earlier !== undefined) {
        throw new Error(
          `${OWNER}: checkpoint keys '${earlier}' and '${key}' both map to '${renamed}' ` +
            "(ckptToModelPrefix); make the prefixes disjoint",
        );
      }
      from.set(renamed, key);
      out.set(key, renamed);
    }
  }
  return out;
}

/**
 * The model key each checkpoint key loads into, for the keys kept: `ckptToModelPrefix` renames
 * prefixes (and keeps only the keys under them), then `layersToIgnore` drops keys or modules.
 * Errors name the prefix or layer that matches nothing, with the closest names.
 */
export function adjustedKeys(
  ckptKeys: readonly string[],
  options: Pick<AdjustPrefixOptions, "ckptToModelPrefix" | "layersToIgnore"> = {},
): Map<string, string> {
  const mapping = options.ckptToModelPrefix ?? null;
  if (mapping !== null && (typeof mapping !== "object" || Array.isArray(mapping))) {
    throw new TypeError(
      `${OWNER}: option 'ckptToModelPrefix' must map checkpoint prefixes to model prefixes ` +
        `({backbone: ""}), got ${JSON.stringify(mapping)}`,
    );
  }
  const ignore = options.layersToIgnore ?? null;
  if (ignore !== null && !Array.isArray(ignore)) {
    throw new TypeError(
      `${OWNER}: option 'layersToIgnore' must be a list of key or module names, got ` +
        JSON.stringify(ignore),
    );
  }
  const out = mapping && Object.keys(mapping).length > 0
    ? mapPrefixes(ckptKeys, mapping)
    : new Map(ckptKeys.map((k) => [k, k]));
  if (!ignore) return out;
  const modelKeys = [...out.values()];
  for (const name of ignore) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(
        `${OWNER}: layersToIgnore holds ${JSON.stringify(name)}; expected key or module names`,
      );
    }
    const hit = modelKeys.filter((k) => k === name || k.startsWith(`${name}.`));
    if (hit.length === 0) {
      const near = closestNames(name, [...moduleNames(modelKeys), ...modelKeys]);
      throw new Error(
        `${OWNER}: layersToIgnore names '${name}', which is not a checkpoint key or module ` +
          "(after ckptToModelPrefix)." +
          (near.length ? ` Did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "") +
          ` Checkpoint keys: ${listed(modelKeys)}`,
      );
    }
    const drop = new Set(hit);
    for (const [ckpt, model] of out) if (drop.has(model)) out.delete(ckpt);
  }
  return out;
}

/**
 * Loads pretrained weights into `model` and returns it, as Lighter's
 * `adjust_prefix_and_load_state_dict` (configs: `_target_: lumen.adjustPrefixAndLoadStateDict`).
 * The weights come from a lumen `.ckpt` (its `model.` prefix removed, optimizer state left out)
 * or from a safetensors state dict. `ckptToModelPrefix` renames key prefixes and keeps only the
 * keys under them; `layersToIgnore` drops keys (or a module's keys); at least one key must then
 * match the model. Loading is not strict by default (as Lighter's): the keys that do not match
 * are listed on stderr. Shapes must match. Departing from Lighter, a prefix matches only at the
 * start of a key, a prefix or ignored name that matches nothing is an error, and so is a
 * mapping that sends two keys to one.
 *
 * @example
 * ```ts
 * import { adjustPrefixAndLoadStateDict, nn, save } from "lumen";
 * // Pretrained: a backbone (0.*) and a head (1.*) inside a Sequential.
 * const pretrained = new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 3 }), new nn.Linear({ inFeatures: 3, outFeatures: 4 }));
 * await save("/tmp/pretrained.safetensors", pretrained.stateDict());
 * // The backbone on its own has keys weight and bias: drop the "0." prefix, leave the head out.
 * const backbone = adjustPrefixAndLoadStateDict({
 *   model: new nn.Linear({ inFeatures: 2, outFeatures: 3 }),
 *   ckptPath: "/tmp/pretrained.safetensors",
 *   ckptToModelPrefix: { "0": "" },
 * });
 * const [a, b] = [await backbone.weight.data(), await pretrained.stateDict()["0.weight"].data()];
 * console.log(a.every((v, i) => v === b[i])); // true
 * ```
 */
export function adjustPrefixAndLoadStateDict<M extends AnyModule>(
  options: AdjustPrefixOptions<M>,
): M {
  checkOptions(OWNER, options, OPTIONS);
  const { model, ckptPath } = options ?? ({} as Partial<AdjustPrefixOptions<M>>);
  if (!(model instanceof Module)) {
    throw new TypeError(`${OWNER}: option 'model' must be a Module (nn.Module), got ${model}`);
  }
  if (typeof ckptPath !== "string" || ckptPath === "") {
    throw new TypeError(
      `${OWNER}: option 'ckptPath' must be a checkpoint path, got ${JSON.stringify(ckptPath)}`,
    );
  }
  const strict = options.strict ?? false;
  if (typeof strict !== "boolean") {
    throw new TypeError(`${OWNER}: option 'strict' must be true or false, got ${strict}`);
  }

  const file = readWeights(ckptPath);
  const keyMap = adjustedKeys(Object.keys(file), options);
  const weights: Record<string, HostTensor> = {};
  for (const [ckpt, key] of keyMap) weights[key] = file[ckpt];

  const modelKeys = Object.keys(model.stateDict());
  const ckptKeys = Object.keys(weights);
  const own = new Set(modelKeys);
  if (!ckptKeys.some((k) => own.has(k))) {
    throw new Error(
      `${OWNER}: there is no overlap between the checkpoint's and the model's state dict ` +
        `(${ckptPath}).\nModel keys: ${span(modelKeys)}\nCheckpoint keys: ${span(ckptKeys)}`,
    );
  }
  const unexpectedKeys = ckptKeys.filter((k) => !own.has(k));
  const missingKeys = modelKeys.filter((k) => !(k in weights));
  if (strict && (missingKeys.length || unexpectedKeys.length)) {
    const parts = [];
    if (missingKeys.length) parts.push(`missing keys: ${listed(missingKeys)}`);
    if (unexpectedKeys.length) parts.push(`unexpected keys: ${listed(unexpectedKeys)}`);
    throw new Error(`${OWNER}: strict loading of ${ckptPath} failed; ${parts.join("; ")}`);
  }
  // Only the keys the model has go to the device; the others are reported.
  const dict: Record<string, Tensor> = {};
  for (const key of ckptKeys) {
    if (!own.has(key)) continue;
    const t = weights[key];
    dict[key] = tensor(t.data, { shape: t.shape, dtype: t.dtype });
  }
  try {
    model.loadStateDict(dict, { strict: false });
  } catch (e) {
    throw new Error(`${OWNER}: ${ckptPath}: ${(e as Error).message}`, { cause: e });
  } finally {
    for (const t of Object.values(dict)) t.dispose();
  }
  const loaded = Object.keys(dict).length;
  if (missingKeys.length || unexpectedKeys.length) {
    console.error(
      `${OWNER}: loaded ${loaded} of ${modelKeys.length} model keys from ${ckptPath}` +
        (missingKeys.length ? `; missing (kept as initialised): ${listed(missingKeys)}` : "") +
        (unexpectedKeys.length ? `; unexpected (not loaded): ${listed(unexpectedKeys)}` : ""),
    );
  }
  return model;
}
