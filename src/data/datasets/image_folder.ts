/** `ImageFolder`: one class per sub-folder of `root`, PNG and JPEG images. */
import { checkIndex } from "../_dataset_checks.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import { specOf } from "../_spec_of.ts";
import type { TransformLike } from "../transforms/transform.ts";
import { applyTransform } from "../transforms/_apply.ts";
import { decodeImage } from "./image_decode.ts";
import type { ImageMode } from "./image_mode.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `ImageFolder`. */
export interface ImageFolderOptions {
  /** Folder with one sub-folder of images per class. */
  root: string;
  /** Channels: "rgb" (default, as torchvision), "grey", or "keep" what the file has. */
  mode?: ImageMode;
  /** Applied to each image, a uint8 host array `[H, W, C]`. */
  transform?: TransformLike;
  /** Applied to each class index. */
  targetTransform?: TransformLike;
  /** File extensions that count as images (default .png, .jpg, .jpeg; case-insensitive). */
  extensions?: string[];
}

/** Every option name of `ImageFolderOptions` (add a name here when adding an option above). */
const IMAGE_FOLDER_OPTIONS = [
  "root",
  "mode",
  "transform",
  "targetTransform",
  "extensions",
] as const satisfies readonly (keyof ImageFolderOptions)[];

/**
 * Images in class sub-folders (`root/cat/1.png`, `root/dog/2.jpg`): classes are the sorted
 * folder names, samples `[image, classIndex]`. Images are decoded when fetched (in the workers
 * when the loader has some); an unreadable one throws naming the file.
 *
 * @example
 * ```ts ignore
 * import { data, datasets } from "lumen";
 * const ds = new datasets.ImageFolder({ root: "photos", transform: data.transforms.compose({ transforms: [data.transforms.resize({ size: [32, 32] }), data.transforms.toTensor()] }) });
 * console.log(ds.classes, ds.length);
 * ```
 */
export class ImageFolder {
  /** Options as given. */
  readonly options: ImageFolderOptions;
  /** Class names (sorted folder names); a sample's target indexes this. */
  readonly classes: readonly string[];
  /** Every image: path and class index, sorted by class then file name. */
  readonly samples: readonly { path: string; target: number }[];

  /** Lists the folders now (so `length` is known at once); images are read on demand. */
  constructor(options: ImageFolderOptions) {
    checkOptions("ImageFolder", options, IMAGE_FOLDER_OPTIONS);
    if (!options || typeof options.root !== "string") throw new Error("ImageFolder needs {root}");
    this.options = options;
    const root = options.root.replace(/\/+$/, "");
    const exts = (options.extensions ?? [".png", ".jpg", ".jpeg"]).map((e) => e.toLowerCase());
    const classes = [...Deno.readDirSync(root)].filter((e) => e.isDirectory).map((e) => e.name)
      .sort();
    if (classes.length === 0) throw new Error(`ImageFolder: ${root} has no class sub-folders`);
    const samples: { path: string; target: number }[] = [];
    classes.forEach((name, target) => {
      const files = [...Deno.readDirSync(`${root}/${name}`)]
        .filter((e) => e.isFile && exts.some((x) => e.name.toLowerCase().endsWith(x)))
        .map((e) => e.name).sort();
      if (files.length === 0) {
        throw new Error(
          `ImageFolder: class folder ${root}/${name} has no ${exts.join("/")} images`,
        );
      }
      for (const f of files) samples.push({ path: `${root}/${name}/${f}`, target });
    });
    this.classes = classes;
    this.samples = samples;
  }

  /** Number of images. */
  get length(): number {
    return this.samples.length;
  }

  /** Image `index`, decoded: `[image, classIndex]`. */
  getItem(index: number): [unknown, unknown] {
    checkIndex(index, this.length, "ImageFolder");
    const { path, target } = this.samples[index];
    let x: unknown = decodeImage(Deno.readFileSync(path), path, this.options.mode ?? "rgb");
    let y: unknown = target;
    if (this.options.transform) x = applyTransform(this.options.transform, x);
    if (this.options.targetTransform) y = applyTransform(this.options.targetTransform, y);
    return [x, y];
  }

  /** Rebuild description for workers (each worker lists the folders again). */
  workerSpec(): WorkerSpec {
    return {
      $kind: "ImageFolder",
      options: specOf(this.options, "ImageFolder") as Record<string, unknown>,
    };
  }
}
