/**
 * `BaseWriter`: Lighter's base of the prediction writers. Active only in the predict stage, it
 * reads each batch's predictions back (one readback per batch), names each sample by its
 * identifier (or a counter) and hands it to `write()`.
 *
 * @module
 */
import type { HostTensor } from "../../../io/safetensors_format.ts";
import type { StepOutput, System } from "../../../system/system.ts";
import { checkOptions } from "../../../util/options.ts";
import type { Stage, TrainerView } from "../../trainer_view.ts";
import { Callback } from "../callback.ts";
import { exists } from "../files.ts";
import { type Identifier, startBatchRead } from "./_batch_samples.ts";

export type { Identifier } from "./_batch_samples.ts";

/** Options of a writer: where to write and how. */
export interface WriterOptions<F> {
  /** Where predictions go (a folder for FileWriter, a `.csv` file for TableWriter). */
  path: string;
  /** A registered writer name (see the subclass) or a function. */
  writer: string | F;
}

const OPTION_NAMES = ["path", "writer"] as const;

/**
 * Base of the prediction writers: subclasses name their `writers` and implement `write()`.
 * `setup` (predict stage only) makes the folder and warns when `path` exists already. After each
 * predict batch the predictions are read back in one readback and each sample (without its batch
 * dimension) goes to `write(sample, identifier)`; the identifiers are the step output's, or
 * 0, 1, 2, ... when it has none. The trainer's kept predictions are then cleared, as Lighter
 * does, so `predict()` returns none. Writes of one batch overlap the next batch's step; all are
 * done by the end of the predict epoch.
 *
 * @example
 * ```ts
 * import { callbacks, type HostTensor } from "lumen";
 * class SizeWriter extends callbacks.BaseWriter<(t: HostTensor) => number> {
 *   seen: string[] = [];
 *   override get writers() {
 *     return { size: (t: HostTensor) => t.data.length };
 *   }
 *   write(sample: HostTensor, identifier: string | number): void {
 *     this.seen.push(`${identifier}: ${this.writer(sample)}`);
 *   }
 *   protected get directory(): string {
 *     return this.path;
 *   }
 * }
 * const w = new SizeWriter({ path: "/tmp/sizes", writer: "size" });
 * await w.write({ shape: [2], dtype: "float32", data: new Float32Array(2) }, "a");
 * console.log(w.seen); // ["a: 2"]
 * ```
 */
export abstract class BaseWriter<F extends (...args: never[]) => unknown> extends Callback {
  /** Where predictions go. */
  readonly path: string;
  /** The writer function (the registered one when a name was given). */
  readonly writer: F;
  /** The class name, for messages. */
  readonly owner: string;
  /** The next generated identifier; null outside the predict stage. */
  #counter: number | null = null;
  /** The writes of the latest batch (they wait for the ones before). */
  #pending: Promise<void> | null = null;

  /** Checks the options: `path` a non-empty string, `writer` a registered name or a function. */
  constructor(options: WriterOptions<F>) {
    super();
    const owner = this.constructor.name;
    this.owner = owner;
    checkOptions(owner, options, OPTION_NAMES);
    const { path, writer } = options ?? {} as Partial<WriterOptions<F>>;
    if (typeof path !== "string" || path === "") {
      throw new TypeError(
        `${owner}: option 'path' must be a non-empty string, got ${JSON.stringify(path)}`,
      );
    }
    this.path = path;
    const writers = this.writers;
    const names = Object.keys(writers);
    if (typeof writer === "string") {
      if (!Object.hasOwn(writers, writer)) {
        throw new RangeError(
          `${owner} option 'writer': Writer for format ${writer} does not exist. Available ` +
            `writers: ${names.join(", ")}, or a function`,
        );
      }
      this.writer = writers[writer];
    } else if (typeof writer === "function") {
      this.writer = writer;
    } else {
      throw new TypeError(
        `${owner} option 'writer' must be one of ${names.join(", ")} or a function, got ` +
          `${writer === undefined ? "nothing" : JSON.stringify(writer) ?? typeof writer}`,
      );
    }
  }

  /** The registered writers by name (subclasses override this; the base has none). */
  get writers(): Readonly<Record<string, F>> {
    return {};
  }

  /** Writes one sample (a prediction without its batch dimension) under `identifier`. */
  abstract write(sample: HostTensor, identifier: Identifier): void | Promise<void>;

  /** The folder `setup` makes. */
  protected abstract get directory(): string;

  /** Checks `path` before the folder is made (that it is a folder, or a file); throws if not. */
  protected checkPath(): void | Promise<void> {}

  /** True between a predict stage's `setup` and its `teardown`. */
  protected get active(): boolean {
    return this.#counter !== null;
  }

  /** Readies the writer for the predict stage; other stages leave it inactive. */
  override async setup(_trainer: TrainerView, _system: System, stage: Stage): Promise<void> {
    this.#counter = null;
    this.#pending = null;
    if (stage !== "predict") return;
    if (await exists(this.path)) {
      console.warn(`${this.path} already exists, existing predictions will be overwritten.`);
    }
    await this.checkPath();
    await Deno.mkdir(this.directory, { recursive: true });
    this.#counter = 0;
  }

  /** Starts this batch's readback, waits for the previous batch's writes, then queues these. */
  override async onPredictBatchEnd(
    trainer: TrainerView,
    _system: System,
    outputs: StepOutput,
    _batch: unknown,
    _batchIdx: number,
  ): Promise<void> {
    if (this.#counter === null || trainer.stage !== "predict") return;
    const read = startBatchRead(this.owner, outputs.pred, outputs.identifier, (count) => {
      const start = this.#counter!;
      this.#counter = start + count;
      return Array.from({ length: count }, (_, i) => start + i);
    });
    const previous = this.#pending;
    const current = (async () => {
      await previous;
      const { identifiers, samples } = await read.result;
      for (let i = 0; i < samples.length; i++) await this.write(samples[i], identifiers[i]);
    })();
    current.catch(() => {}); // awaited by the next batch or the epoch end
    this.#pending = current;
    trainer.clearPredictions?.();
    await previous;
  }

  /** Waits for every write (a write's error is thrown here at the latest). */
  override async onPredictEpochEnd(_trainer: TrainerView, _system: System): Promise<void> {
    const pending = this.#pending;
    this.#pending = null;
    await pending;
  }

  /** Lets writes still running (after a failure) finish, and deactivates the writer. */
  override async teardown(_trainer: TrainerView, _system: System, _stage: Stage): Promise<void> {
    const pending = this.#pending;
    this.#pending = null;
    this.#counter = null;
    await pending?.catch(() => {});
  }
}
