/**
 * The Trainer's options (Lightning's names in camelCase; YAML writes them in snake_case), checked
 * once and turned into the plain settings the loops use.
 *
 * @module
 */
import { checkOptions } from "../util/options.ts";
import { parsePrecision, type PrecisionName } from "./precision.ts";
import type { Callback } from "./callbacks/callback.ts";
import type { Logger } from "./loggers/logger.ts";

/** Options of `Trainer`. */
export interface TrainerOptions {
  /** Epochs to train (default 1000 when maxSteps is -1, else no limit). */
  maxEpochs?: number | null;
  /** Optimizer steps to take (default -1: no limit). */
  maxSteps?: number;
  /** `true` or N: run N (1) batches of each loop, one epoch, without logging or checkpoints. */
  fastDevRun?: boolean | number;
  /** Training batches per epoch: a count (int) or a fraction of the loader (float in (0, 1]). */
  limitTrainBatches?: number;
  /** Validation batches per run: a count or a fraction. */
  limitValBatches?: number;
  /** Test batches: a count or a fraction. */
  limitTestBatches?: number;
  /** Predict batches: a count or a fraction. */
  limitPredictBatches?: number;
  /** Validate every fraction of an epoch (float) or every N training batches (int). Default 1.0. */
  valCheckInterval?: number;
  /** Validate every N epochs (default 1). */
  checkValEveryNEpoch?: number;
  /** Validation batches run before training as a sanity check (default 2; -1 all). */
  numSanityValSteps?: number;
  /** Log step values (and read them back) every N optimizer steps (default 50). */
  logEveryNSteps?: number;
  /** Batches whose gradients are summed before each optimizer step (default 1). */
  accumulateGradBatches?: number;
  /** Clip gradients at this value (default none). */
  gradientClipVal?: number | null;
  /** `norm` (the total 2-norm, default) or `value` (each element). */
  gradientClipAlgorithm?: "norm" | "value";
  /** `auto`, `gpu`, `webgpu` or `cpu`: lumen runs on the process's WebGPU adapter. */
  accelerator?: string;
  /** `1`, `-1`, `auto` or `[0]`: one WebGPU adapter is visible to a Deno process. */
  devices?: number | string | number[];
  /** `auto` or `single_device` (the seam where data-parallel processes will plug in). */
  strategy?: string;
  /** 32 (`32-true`, the default) or `16-mixed` (float16 autocast, dynamic loss scaling). */
  precision?: number | string;
  /** Where logs and checkpoints go when no logger says otherwise (default the CWD). */
  defaultRootDir?: string;
  /** `true` (a CSVLogger), `false`, a logger, or a list of loggers. */
  logger?: boolean | Logger | Logger[];
  /** Callbacks, run in order after the built-in ones. */
  callbacks?: Callback[] | Callback;
  /** Add a ModelCheckpoint when none is given (default true). */
  enableCheckpointing?: boolean;
  /** Show a progress bar (default true). */
  enableProgressBar?: boolean;
  /** Accepted: lumen's kernels are deterministic (same seed, same bits). */
  deterministic?: boolean | string;
  /** Accepted for Lightning configs: lumen's summary is `model.toString()`. */
  enableModelSummary?: boolean;
  /** `simple` (wall time per action, Lightning's SimpleProfiler table at each stage's end) or null. */
  profiler?: string | null;
}

/** The option names `Trainer` accepts. */
export const TRAINER_OPTIONS: readonly string[] = [
  "maxEpochs",
  "maxSteps",
  "fastDevRun",
  "limitTrainBatches",
  "limitValBatches",
  "limitTestBatches",
  "limitPredictBatches",
  "valCheckInterval",
  "checkValEveryNEpoch",
  "numSanityValSteps",
  "logEveryNSteps",
  "accumulateGradBatches",
  "gradientClipVal",
  "gradientClipAlgorithm",
  "accelerator",
  "devices",
  "strategy",
  "precision",
  "defaultRootDir",
  "logger",
  "callbacks",
  "enableCheckpointing",
  "enableProgressBar",
  "deterministic",
  "enableModelSummary",
  "profiler",
];

/**
 * A loop's batch limit: a count, or a fraction of the loader. A YAML `1` and `1.0` are the same
 * number in JavaScript, so 1 means the whole loader (Lightning's default 1.0); fast_dev_run's one
 * batch is a count.
 */
export type BatchLimit = { count: number } | { fraction: number };

/** The checked settings the loops read. */
export interface TrainerSettings {
  /** Epochs to run (-1: no limit). */
  maxEpochs: number;
  /** Optimizer steps to take (-1: no limit). */
  maxSteps: number;
  /** fast_dev_run's batch count (0: off). */
  fastDevRun: number;
  /** Batch limits of each loop. */
  limits: { train: BatchLimit; val: BatchLimit; test: BatchLimit; predict: BatchLimit };
  /** Validation every fraction of an epoch (<= 1) or every N batches (an integer > 1). */
  valCheckInterval: number;
  /** Validation every N epochs. */
  checkValEveryNEpoch: number;
  /** Sanity-check batches (-1: all). */
  numSanityValSteps: number;
  /** A logged row (and a readback) every N optimizer steps. */
  logEveryNSteps: number;
  /** Batches per optimizer step. */
  accumulateGradBatches: number;
  /** Clipping threshold, or null. */
  gradientClipVal: number | null;
  /** Clipping by total norm or by value. */
  gradientClipAlgorithm: "norm" | "value";
  /** Where files go without a logger. */
  defaultRootDir: string;
  /** Whether a ModelCheckpoint is added when none is given. */
  enableCheckpointing: boolean;
  /** Whether the progress bar is shown. */
  enableProgressBar: boolean;
  /** The profiler: `simple`, or null (off). */
  profiler: "simple" | null;
  /** The precision the steps run in. */
  precision: PrecisionName;
}

function fail(option: string, expected: string, got: unknown): never {
  throw new TypeError(`Trainer option '${option}' must be ${expected}, got ${JSON.stringify(got)}`);
}

function int(option: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    fail(option, `an integer >= ${min}`, v);
  }
  return v;
}

function limit(option: string, v: unknown): BatchLimit {
  if (v === undefined || v === null) return { fraction: 1 };
  if (typeof v !== "number" || !(v >= 0) || (!Number.isInteger(v) && v > 1)) {
    fail(option, "a batch count (int >= 0) or a fraction in [0, 1]", v);
  }
  return Number.isInteger(v) && v !== 1 ? { count: v } : { fraction: v };
}

/** Batches to run from a loader of `available` batches under `limit` (Lightning's rule). */
export function limitBatches(limit: BatchLimit, available: number): number {
  if ("count" in limit) return Math.min(limit.count, available);
  if (limit.fraction === 1) return available;
  const n = Math.floor(available * limit.fraction);
  return limit.fraction > 0 && n === 0 && available > 0 ? 1 : n;
}

/** The number of devices a `devices` option asks for; throws for more than the one adapter. */
function checkDevices(devices: unknown): void {
  if (devices === undefined || devices === "auto" || devices === 1 || devices === -1) return;
  if (devices === "1" || devices === "-1") return;
  const many = Array.isArray(devices) ? devices.length : devices;
  if (Array.isArray(devices) && devices.length === 1 && devices[0] === 0) return;
  if (typeof many === "number" && Number.isInteger(many) && many > 1) {
    throw new Error(
      `Trainer devices=${JSON.stringify(devices)} asks for ${many} devices, but a Deno process ` +
        "sees one WebGPU adapter, so lumen trains on one device per process. Use devices=1 (or " +
        "-1, auto); to use several GPUs, run one lumen process per GPU (for example one fit per " +
        "fold or per learning rate).",
    );
  }
  fail("devices", "1, -1, 'auto' or [0]", devices);
}

/** Checks `options` and returns the loop settings. */
export function trainerSettings(options: TrainerOptions): TrainerSettings {
  checkOptions("Trainer", options, TRAINER_OPTIONS);
  const o = options;
  checkDevices(o.devices);
  const accelerator = o.accelerator ?? "auto";
  if (!["auto", "gpu", "webgpu", "cpu"].includes(accelerator)) {
    fail("accelerator", "'auto', 'gpu', 'webgpu' or 'cpu' (lumen runs on WebGPU)", accelerator);
  }
  const strategy = o.strategy ?? "auto";
  if (!["auto", "single_device"].includes(strategy)) {
    throw new Error(
      `Trainer strategy '${strategy}' is not available: lumen runs one device per process ` +
        "(strategy 'auto' or 'single_device')",
    );
  }
  const precision = parsePrecision(o.precision ?? 32);
  const fastDevRun = o.fastDevRun === true
    ? 1
    : o.fastDevRun === false || o.fastDevRun === undefined
    ? 0
    : int("fastDevRun", o.fastDevRun, 0);
  const maxSteps = o.maxSteps === undefined ? -1 : int("maxSteps", o.maxSteps, -1);
  let maxEpochs: number;
  if (o.maxEpochs === undefined || o.maxEpochs === null) maxEpochs = maxSteps === -1 ? 1000 : -1;
  else maxEpochs = int("maxEpochs", o.maxEpochs, -1);
  const clip = o.gradientClipVal ?? null;
  if (clip !== null && !(typeof clip === "number" && clip >= 0)) {
    fail("gradientClipVal", "a number >= 0", clip);
  }
  const algorithm = o.gradientClipAlgorithm ?? "norm";
  if (algorithm !== "norm" && algorithm !== "value") {
    fail("gradientClipAlgorithm", "'norm' or 'value'", algorithm);
  }
  const vci = o.valCheckInterval ?? 1.0;
  if (typeof vci !== "number" || !(vci > 0) || (!Number.isInteger(vci) && vci > 1)) {
    fail("valCheckInterval", "a fraction in (0, 1] or a batch count (int >= 1)", vci);
  }
  const profiler = o.profiler ?? null;
  if (profiler !== null && profiler !== "simple") {
    fail("profiler", "null or 'simple' (Lightning's SimpleProfiler)", profiler);
  }
  const settings: TrainerSettings = {
    maxEpochs,
    maxSteps,
    fastDevRun,
    limits: {
      train: limit("limitTrainBatches", o.limitTrainBatches),
      val: limit("limitValBatches", o.limitValBatches),
      test: limit("limitTestBatches", o.limitTestBatches),
      predict: limit("limitPredictBatches", o.limitPredictBatches),
    },
    valCheckInterval: vci,
    checkValEveryNEpoch: int("checkValEveryNEpoch", o.checkValEveryNEpoch ?? 1, 1),
    numSanityValSteps: int("numSanityValSteps", o.numSanityValSteps ?? 2, -1),
    logEveryNSteps: int("logEveryNSteps", o.logEveryNSteps ?? 50, 1),
    accumulateGradBatches: int("accumulateGradBatches", o.accumulateGradBatches ?? 1, 1),
    gradientClipVal: clip,
    gradientClipAlgorithm: algorithm,
    defaultRootDir: o.defaultRootDir ?? Deno.cwd(),
    enableCheckpointing: o.enableCheckpointing ?? true,
    enableProgressBar: o.enableProgressBar ?? true,
    profiler,
    precision,
  };
  if (fastDevRun > 0) {
    // Lightning: N batches of every loop, one epoch, no sanity check, no logs, no checkpoints.
    settings.maxEpochs = 1;
    settings.maxSteps = fastDevRun;
    const count = { count: fastDevRun };
    settings.limits = { train: count, val: count, test: count, predict: count };
    settings.valCheckInterval = 1.0;
    settings.checkValEveryNEpoch = 1;
    settings.numSanityValSteps = 0;
  }
  return settings;
}
