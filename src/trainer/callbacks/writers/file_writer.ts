/**
 * `FileWriter`: Lighter's FileWriter: one file per predicted sample, named by its identifier.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../../io/atomic_write.ts";
import { encodeSafetensors, type HostTensor } from "../../../io/safetensors_format.ts";
import { BaseWriter, type Identifier, type WriterOptions } from "./base_writer.ts";
import { pngOf } from "./_png.ts";

/**
 * A FileWriter function: writes `tensor` (one sample on the host) to `path`, which is
 * `<folder>/<identifier>` without an extension: the function adds its own.
 */
export type FileWriterFunction = (path: string, tensor: HostTensor) => unknown;

/** Options of {@link FileWriter}: `path` is a folder; `writer` is `tensor`, `image` or a function. */
export type FileWriterOptions = WriterOptions<FileWriterFunction>;

/** `<path>.safetensors` holding one tensor named `pred` (loads with lumen's `load` or torch). */
async function writeTensor(path: string, tensor: HostTensor): Promise<void> {
  await writeFileAtomic(`${path}.safetensors`, encodeSafetensors({ pred: tensor }));
}

/** `<path>.png`: a 2-D `[H, W]` or `[C, H, W]` (C = 1, 3, 4) prediction, [0, 1] scaled to 0-255. */
async function writeImage(path: string, tensor: HostTensor): Promise<void> {
  await writeFileAtomic(`${path}.png`, pngOf(tensor));
}

const FILE_WRITERS: Readonly<Record<string, FileWriterFunction>> = Object.freeze({
  tensor: writeTensor,
  image: writeImage,
});

/**
 * Writes each predicted sample of the predict stage to its own file in the folder `path`:
 * `writer: "tensor"` gives `<id>.safetensors` (one tensor named `pred`), `"image"` gives
 * `<id>.png` (a 2-D `[H, W]` or 3-D `[C, H, W]` prediction with C = 1, 3 or 4; float values in
 * [0, 1] scaled to 0-255), and a function `(path, tensor)` writes `path` plus its own extension.
 * Files are written atomically (a temporary file renamed into place). The identifiers are the
 * step output's (`identifier_accessor` of the predict batch adapter) or 0, 1, 2, ...; one that
 * is not a plain file name (empty, `.`, `..`, or holding `/` or `\`) is an error.
 *
 * @example
 * ```ts
 * import { callbacks, load } from "lumen";
 * const path = await Deno.makeTempDir();
 * const writer = new callbacks.FileWriter({ path, writer: "tensor" });
 * await writer.write({ shape: [2], dtype: "float32", data: new Float32Array([0.5, 2]) }, "a");
 * const { tensors } = await load(`${path}/a.safetensors`);
 * console.log(await tensors.pred.data()); // Float32Array(2) [0.5, 2]
 * ```
 */
export class FileWriter extends BaseWriter<FileWriterFunction> {
  /** Checks the options (see {@link FileWriterOptions}). */
  constructor(options: FileWriterOptions) {
    super(options);
  }

  /** The built-in writers: `tensor` and `image`. */
  override get writers(): Readonly<Record<string, FileWriterFunction>> {
    return FILE_WRITERS;
  }

  /** Writes `sample` to `<path>/<identifier>` plus the writer's extension. */
  async write(sample: HostTensor, identifier: Identifier): Promise<void> {
    const name = String(identifier);
    if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
      throw new Error(
        `FileWriter: identifier ${JSON.stringify(name)} cannot name a file in ${this.path}: ` +
          `use identifiers without '/', '\\' and that are not '', '.' or '..'`,
      );
    }
    await this.writer(join(this.path, name), sample);
  }

  /** `path` itself. */
  protected get directory(): string {
    return this.path;
  }

  /** Throws when `path` exists and is not a folder. */
  protected override async checkPath(): Promise<void> {
    try {
      if (!(await Deno.stat(this.path)).isDirectory) {
        throw new Error(`FileWriter expects a directory path, got ${this.path}`);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}
