/**
 * Files: safetensors checkpoints that PyTorch reads and writes too.
 *
 * @module
 */
export { load, save } from "./safetensors.ts";
export {
  decodeSafetensors,
  encodeSafetensors,
  type HostTensor,
  type SafetensorsContents,
  SafetensorsError,
} from "./safetensors_format.ts";
