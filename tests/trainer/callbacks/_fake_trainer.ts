/**
 * A fake TrainerView for callback tests, and a driver that calls the hooks in Lightning's fit
 * order (train batches, then validation, then the train epoch end).
 */
import type { Callback } from "../../../src/trainer/callbacks/callback.ts";
import type { Logger } from "../../../src/trainer/loggers/logger.ts";
import type { Stage, TrainerView } from "../../../src/trainer/trainer_view.ts";
import type { StepOutput, System } from "../../../src/system/system.ts";
import type { Mode } from "../../../src/system/host.ts";
import { ready } from "../../../src/device/default_device.ts";

// These tests import lumen's modules one by one (not mod.ts): acquire the GPU as the runner does.
await ready();

/** What the fake trainer wrote for each saveCheckpoint call. */
export interface SavedCheckpoint {
  path: string;
  step: number;
  epoch: number;
  weightsOnly: boolean;
}

export const SYSTEM = {} as unknown as System;
export const OUTPUTS = {} as unknown as StepOutput;

/** A TrainerView whose saveCheckpoint writes a small JSON file: step, epoch, callback states. */
export class FakeTrainer implements TrainerView {
  stage: Stage | null = "fit";
  mode: Mode | null = null;
  sanityChecking = false;
  currentEpoch = 0;
  globalStep = 0;
  maxEpochs = -1;
  maxSteps = -1;
  numTrainingBatches: number;
  numValBatches: number;
  fastDevRun = 0;
  loggers: Logger[] = [];
  logDir: string | undefined;
  defaultRootDir: string;
  callbackMetrics: Record<string, number> = {};
  shouldStop = false;
  /** Every saveCheckpoint call, in order. */
  saves: SavedCheckpoint[] = [];
  /** Called before each write (to look at the folder as it is then). */
  beforeSave?: (path: string) => void | Promise<void>;

  constructor(
    readonly callbacks: Callback[],
    options: { root: string; batches?: number; valBatches?: number; logDir?: string },
  ) {
    this.defaultRootDir = options.root;
    this.numTrainingBatches = options.batches ?? 5;
    this.numValBatches = options.valBatches ?? 4;
    if (options.logDir) {
      this.logDir = options.logDir;
      const logDir = options.logDir;
      this.loggers = [{
        name: "lightning_logs",
        version: 0,
        saveDir: options.root,
        logDir,
        logHyperparams() {},
        logMetrics() {},
        save: () => Promise.resolve(),
        finalize: () => Promise.resolve(),
      }];
    }
  }

  readMetrics(): Promise<Readonly<Record<string, number>>> {
    return Promise.resolve(this.callbackMetrics);
  }

  async saveCheckpoint(path: string, options?: { weightsOnly?: boolean }): Promise<void> {
    await this.beforeSave?.(path);
    const callbacks: Record<string, unknown> = {};
    for (const cb of this.callbacks) callbacks[cb.stateKey] = cb.stateDict();
    const saved = {
      path,
      step: this.globalStep,
      epoch: this.currentEpoch,
      weightsOnly: options?.weightsOnly ?? false,
    };
    await Deno.writeTextFile(path, JSON.stringify({ ...saved, callbacks }));
    this.saves.push(saved);
  }

  /** Calls `hook` on every callback in order. */
  async call(
    hook: (cb: Callback) => void | Promise<void>,
  ): Promise<void> {
    for (const cb of this.callbacks) await hook(cb);
  }

  async setup(stage: Stage = "fit"): Promise<void> {
    this.stage = stage;
    await this.call((cb) => cb.setup(this, SYSTEM, stage));
  }

  /** A validation run (sanity check when `sanity`); `metrics` are read back at its end. */
  async validate(metrics: Record<string, number>, sanity = false): Promise<void> {
    this.sanityChecking = sanity;
    this.mode = "val";
    await this.call((cb) => cb.onValidationStart(this, SYSTEM));
    for (let i = 0; i < this.numValBatches; i++) {
      await this.call((cb) => cb.onValidationBatchEnd(this, SYSTEM, OUTPUTS, undefined, i));
    }
    Object.assign(this.callbackMetrics, metrics);
    await this.call((cb) => cb.onValidationEnd(this, SYSTEM));
    this.sanityChecking = false;
    this.mode = this.stage === "fit" ? "train" : null;
  }

  /**
   * One training epoch: `batches` batches (one optimizer step each), validation after the batch
   * indexes in `valAfter` (default: after the last one, when `val` is given), then the epoch end.
   */
  async epoch(options: {
    val?: Record<string, number>;
    train?: Record<string, number>;
    valAfter?: number[];
    batches?: number;
    trainStep?: (step: number) => Record<string, number>;
  }): Promise<void> {
    const n = options.batches ?? this.numTrainingBatches;
    const valAfter = options.valAfter ?? (options.val ? [this.numTrainingBatches - 1] : []);
    this.mode = "train";
    await this.call((cb) => cb.onTrainEpochStart(this, SYSTEM));
    for (let i = 0; i < n; i++) {
      this.globalStep++;
      if (options.trainStep) {
        Object.assign(this.callbackMetrics, options.trainStep(this.globalStep));
      }
      await this.call((cb) => cb.onTrainBatchEnd(this, SYSTEM, OUTPUTS, undefined, i));
      if (valAfter.includes(i)) await this.validate(options.val ?? {});
    }
    Object.assign(this.callbackMetrics, options.train ?? {});
    await this.call((cb) => cb.onTrainEpochEnd(this, SYSTEM));
    this.currentEpoch++;
  }

  /** The end of training (Lightning's `current_epoch` counts the completed epochs by then). */
  async trainEnd(): Promise<void> {
    await this.call((cb) => cb.onTrainEnd(this, SYSTEM));
  }
}

/** The files under `dir` (recursively), relative, sorted; links are marked with " -> target". */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, prefix: string): Promise<void> {
    for await (const e of Deno.readDir(d)) {
      const rel = prefix + e.name;
      if (e.isDirectory) await walk(`${d}/${e.name}`, rel + "/");
      else if (e.isSymlink) out.push(`${rel} -> ${await Deno.readLink(`${d}/${e.name}`)}`);
      else out.push(rel);
    }
  }
  await walk(dir, "");
  return out.sort();
}

/** The JSON the fake trainer wrote at `path`. */
export async function readSaved(
  path: string,
): Promise<SavedCheckpoint & { callbacks: Record<string, Record<string, unknown>> }> {
  return JSON.parse(await Deno.readTextFile(path));
}
