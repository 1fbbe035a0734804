/**
 * Saving and loading device tensors as safetensors files (the format of Hugging Face and of
 * `safetensors.torch`), so checkpoints move between lumen and PyTorch.
 *
 * @module
 */
import type { Tensor } from "../tensor/tensor.ts";
import { tensor } from "../tensor/creation.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type HostTensor,
  type SafetensorsContents,
  SafetensorsError,
} from "./safetensors_format.ts";
import { writeFileAtomic } from "./atomic_write.ts";

/**
 * Writes `tensors` (and optional string `metadata`) to `path` as a safetensors file. The file is
 * written beside `path` under a temporary name and renamed, so a crash never leaves half a file.
 *
 * @example
 * ```ts
 * import { load, save, tensor } from "lumen";
 * await save("/tmp/demo.safetensors", { w: tensor([[1, 2], [3, 4]]) }, { step: "10" });
 * const { tensors, metadata } = await load("/tmp/demo.safetensors");
 * console.log(tensors.w.shape, metadata.step); // [2, 2] 10
 * ```
 */
export async function save(
  path: string | URL,
  tensors: Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  const host: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    host[name] = { shape: [...t.shape], dtype: t.dtype, data: await t.data() };
  }
  await writeFileAtomic(path, encodeSafetensors(host, metadata));
}

/**
 * Reads a safetensors file into device tensors. F32 and I32 load as they are; F64, F16 and BF16
 * become float32, and I64, I16, I8, U8 and BOOL become int32 (I64 values must fit). A truncated or
 * corrupted file throws a `SafetensorsError` naming the file and the fault.
 *
 * @example
 * ```ts
 * import { load, save, zeros } from "lumen";
 * await save("/tmp/z.safetensors", { z: zeros([3]) });
 * const { tensors } = await load("/tmp/z.safetensors");
 * console.log(await tensors.z.data()); // Float32Array(3) [0, 0, 0]
 * ```
 */
export async function load(path: string | URL): Promise<SafetensorsContents<Tensor>> {
  const name = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new SafetensorsError(name, "the file does not exist");
    }
    throw e;
  }
  const host = decodeSafetensors(bytes, name);
  const tensors: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(host.tensors)) {
    tensors[key] = tensor(t.data, { shape: t.shape, dtype: t.dtype });
  }
  return { tensors, metadata: host.metadata };
}
