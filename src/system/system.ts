/**
 * `System`: Lighter's System, the model with its criterion, optimizer, scheduler, metrics,
 * dataloaders and adapters, and ONE step for every mode. It knows nothing of loops or files: the
 * Trainer attaches itself as the `SystemHost` and calls `step()` for each batch.
 *
 * @module
 */
import { Tensor } from "../tensor/tensor.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import type { AnyModule } from "../nn/module.ts";
import type { Optimizer } from "../optim/optimizer.ts";
import type { Scheduler } from "../optim/lr_scheduler.ts";
import type { DataLoader } from "../data/loader.ts";
import type { Metric } from "../metrics/metric.ts";
import { checkOptions } from "../util/options.ts";
import { type LogOptions, type Mode, MODES, type SystemHost } from "./host.ts";
import { checkOptionsObject, isDict, show } from "./_describe.ts";
import type { ModeAdapters, ModeAdaptersOption } from "./mode_adapters.ts";
import { modeAdapters } from "./_mode_adapters.ts";
import { forwardAll, metricCollection } from "./metric_collection.ts";
import { optimizerStats } from "./optimizer_stats.ts";
import { batchSizeOf } from "./batch_size.ts";

/** A loss: one tensor, or a dict of sub-losses that includes `total` (the one to backward). */
export type LossValue = Tensor | Record<string, Tensor>;

/** The modes that have metrics. */
export type MetricMode = "train" | "val" | "test";

/** What `System.step` returns in every mode (Lighter's step output dict). */
export interface StepOutput {
  /** The batch's identifiers (null without an identifier accessor). */
  identifier: unknown;
  /** The model input, after the logging adapter's transforms. */
  input: unknown;
  /** The target, after the logging adapter's transforms. */
  target: unknown;
  /** The prediction, after the logging adapter's transforms. */
  pred: unknown;
  /** The loss in train and val modes (with its graph, for backward); null in test and predict. */
  loss: Tensor | Record<string, Tensor> | null;
  /** This batch's value of each metric of the mode, by name; null when the mode has none. */
  metrics: Record<string, Tensor> | null;
  /** Optimizer steps so far (the host's `globalStep`). */
  step: number;
  /** The current epoch (the host's `currentEpoch`). */
  epoch: number;
}

/** Options of `System` (a config's `system:` section, built with `_target_: lumen.System`). */
export interface SystemOptions {
  /** The model (a `nn.Module`); `model.call(input)` gives the prediction. */
  model: AnyModule;
  /** The loss: a module (`criterion.call(pred, target)`) or a function. Needed in train and val. */
  criterion?: { call(...args: never[]): unknown } | ((...args: never[]) => unknown) | null;
  /** The optimizer (only one); needed to fit. */
  optimizer?: Optimizer | null;
  /** The learning-rate scheduler, stepped by the trainer. */
  scheduler?: Scheduler | null;
  /**
   * The metrics of each mode: one Metric, a list (named by class, e.g. `MulticlassAccuracy`) or a
   * dict by name.
   */
  metrics?: {
    /** Metrics of the training batches. */
    train?: Metric | readonly Metric[] | Readonly<Record<string, Metric>> | null;
    /** Metrics of validation. */
    val?: Metric | readonly Metric[] | Readonly<Record<string, Metric>> | null;
    /** Metrics of testing. */
    test?: Metric | readonly Metric[] | Readonly<Record<string, Metric>> | null;
  } | null;
  /** The dataloader of each mode; a mode runs only when it has one. */
  dataloaders?: {
    /** Batches to train on. */
    train?: DataLoader | null;
    /** Batches to validate on. */
    val?: DataLoader | null;
    /** Batches to test on. */
    test?: DataLoader | null;
    /** Batches to predict. */
    predict?: DataLoader | null;
  } | null;
  /** Adapters per mode; the ones not given get Lighter's defaults. */
  adapters?: {
    /** Adapters of training. */
    train?: ModeAdaptersOption | null;
    /** Adapters of validation. */
    val?: ModeAdaptersOption | null;
    /** Adapters of testing (no criterion). */
    test?: ModeAdaptersOption | null;
    /** Adapters of prediction (batch and logging only). */
    predict?: ModeAdaptersOption | null;
  } | null;
  /** Used instead of `model.call(input)` in val, test and predict: `inferer(input, model)`. */
  inferer?: ((input: never, model: never) => unknown) | null;
}

const SYSTEM_OPTIONS = [
  "model",
  "criterion",
  "optimizer",
  "scheduler",
  "metrics",
  "dataloaders",
  "adapters",
  "inferer",
] as const;
const METRIC_MODES: readonly MetricMode[] = ["train", "val", "test"];
const LOSS_TOTAL_ERROR = "The loss dictionary must include a 'total' key that combines all " +
  "sublosses. Example: {'total': combined_loss, 'subloss1': loss1, ...}";

type Callable = (...args: unknown[]) => unknown;

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (value === null || typeof value !== "object") return false;
  return names.every((n) => typeof (value as Record<string, unknown>)[n] === "function");
}

function modeDict(
  owner: string,
  value: unknown,
  modes: readonly string[],
): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isDict(value)) {
    throw new TypeError(
      `${owner} must be a dict by mode {${modes.join(", ")}}, got ${show(value)}`,
    );
  }
  checkOptions(owner, value, modes);
  return value;
}

/** `value` of option `name` if `ok` accepts it; undefined for null/undefined; else an error. */
function part<T>(
  name: string,
  value: unknown,
  ok: (v: unknown) => boolean,
  expected: string,
): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (!ok(value)) {
    throw new TypeError(`System option '${name}' must be ${expected}, got ${show(value)}`);
  }
  return value as T;
}

/** The dataloaders by mode, each checked to be iterable (a DataLoader). */
function dataloaders(value: unknown): Partial<Record<Mode, DataLoader>> {
  const out: Partial<Record<Mode, DataLoader>> = {};
  for (const [mode, loader] of Object.entries(modeDict("System.dataloaders", value, MODES))) {
    if (loader === undefined || loader === null) continue;
    const iterable = typeof loader === "object" &&
      (Symbol.asyncIterator in loader || Symbol.iterator in loader);
    if (!iterable) {
      throw new TypeError(
        `System.dataloaders.${mode} must be a DataLoader (iterable), got ${show(loader)}`,
      );
    }
    out[mode as Mode] = loader as DataLoader;
  }
  return out;
}

/**
 * Lighter's System: one `step()` for the four modes. In each step the batch adapter splits the
 * batch into input, target and identifier; the model (or, in val/test/predict, the inferer) makes
 * the prediction; in train and val the criterion adapter computes the loss; in train, val and
 * test the metrics adapter feeds each metric's `forward`; the values are logged through the host;
 * and the logging adapter transforms what the step returns.
 *
 * Logged keys (when the host's logging is on): `{mode}/loss/step|epoch` (a dict loss gives
 * `{mode}/loss/{name}/step|epoch` for each key, `total` included), `{mode}/metrics/{Name}/step`
 * (the batch value) and `{mode}/metrics/{Name}/epoch`, and at the first training batch of each
 * epoch `train/optimizer/{Class}/lr` and `.../momentum` (the group's momentum or `betas[0]`;
 * `/group{N}` appended with several groups). Each value is weighted by the real batch size, the
 * first dimension of the input tensor, so a short last batch weighs less in the epoch mean.
 * Unlike Lighter, whose epoch metric is the mean of the batch values, the epoch metric is the
 * Metric itself: the trainer logs its `compute()` over the whole epoch and resets it (the same as
 * the mean for a mean metric, exact for the others, e.g. F1 or AUROC).
 *
 * @example
 * ```ts
 * import { nn, optim, System, tensor } from "lumen";
 * const model = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
 * const system = new System({
 *   model,
 *   criterion: new nn.CrossEntropyLoss(),
 *   optimizer: new optim.SGD({ params: model.parameters(), lr: 0.1, momentum: 0.9 }),
 * });
 * const logged: string[] = [];
 * system.attach({
 *   mode: "train",
 *   currentEpoch: 0,
 *   globalStep: 0,
 *   loggingEnabled: true,
 *   log: (name) => logged.push(name),
 * });
 * const batch = [tensor([[1, 2], [3, 4]]), tensor(new Int32Array([0, 1]))];
 * const out = system.step(batch, 0);
 * console.log(system.lossTotal(out.loss!).shape); // []
 * console.log(logged);
 * // ["train/loss/step", "train/loss/epoch", "train/optimizer/SGD/lr", "train/optimizer/SGD/momentum"]
 * ```
 */
export class System {
  /** The model. */
  readonly model: AnyModule;
  /** The loss (a module or a function), if any. */
  readonly criterion?: { call(...args: never[]): unknown } | ((...args: never[]) => unknown);
  /** The optimizer, if any. */
  readonly optimizer?: Optimizer;
  /** The scheduler, if any. */
  readonly scheduler?: Scheduler;
  /** The inferer of val/test/predict, if any. */
  readonly inferer?: (input: never, model: never) => unknown;
  /** The dataloaders by mode. */
  readonly dataloaders: Partial<Record<Mode, DataLoader>>;
  /** The metrics by mode, then by name (class names for lists, keys for dicts). */
  readonly metrics: Partial<Record<"train" | "val" | "test", Record<string, Metric>>>;
  /** The adapters of every mode, Lighter's defaults where none were given. */
  readonly adapters: Record<Mode, ModeAdapters>;
  /** The raw config saved by `saveHyperparameters` (stored in checkpoints). */
  hyperparameters: Record<string, unknown> | undefined;
  #host: SystemHost | null = null;

  /** Checks every option (names, types, per-mode keys) and fills in the default adapters. */
  constructor(options: SystemOptions) {
    checkOptionsObject("System", options, SYSTEM_OPTIONS);
    if (options === undefined || options === null) {
      throw new TypeError("System needs an options object with at least 'model'");
    }
    checkOptions("System", options, SYSTEM_OPTIONS);
    const o = options as unknown as Record<string, unknown>;
    const module = ["call", "parameters", "stateDict", "loadStateDict", "train", "eval"];
    this.model = part("model", o.model, (v) => hasMethods(v, module), "a Module (nn.Module)")!;
    this.criterion = part(
      "criterion",
      o.criterion,
      (v) => typeof v === "function" || hasMethods(v, ["call"]),
      "a loss module or a function",
    );
    this.optimizer = part(
      "optimizer",
      o.optimizer,
      (v) => hasMethods(v, ["step", "zeroGrad"]) && Array.isArray((v as Optimizer).paramGroups),
      "an Optimizer (optim.SGD, optim.Adam, ...)",
    );
    this.scheduler = part(
      "scheduler",
      o.scheduler,
      (v) => hasMethods(v, ["step"]),
      "a learning-rate scheduler",
    );
    this.inferer = part(
      "inferer",
      o.inferer,
      (v) => typeof v === "function",
      "a function (input, model) => pred",
    );
    this.dataloaders = dataloaders(o.dataloaders);
    this.metrics = {};
    const metrics = modeDict("System.metrics", o.metrics, METRIC_MODES);
    for (const mode of METRIC_MODES) {
      const collection = metricCollection(`System.metrics.${mode}`, metrics[mode]);
      if (collection) this.metrics[mode] = collection;
    }
    const adapters = modeDict("System.adapters", o.adapters, MODES);
    this.adapters = Object.fromEntries(
      MODES.map((mode) => [mode, modeAdapters(mode, adapters[mode])]),
    ) as Record<Mode, ModeAdapters>;
  }

  /** Connects the runner (the Trainer calls this); its `mode` becomes the system's mode. */
  attach(host: SystemHost): void {
    this.#host = host;
  }

  /** The mode of the host's running loop; null when detached or between loops. */
  get mode(): Mode | null {
    return this.#host?.mode ?? null;
  }

  /** Keeps the raw config (Lightning's `save_hyperparameters`); checkpoints store it. */
  saveHyperparameters(raw: Record<string, unknown>): void {
    this.hyperparameters = raw;
  }

  /** The optimizer and the scheduler, if any, for the trainer; no optimizer is Lighter's error. */
  configureOptimizers(): { optimizer: Optimizer; scheduler?: Scheduler } {
    if (!this.optimizer) throw new Error("Please specify 'system.optimizer' in the config.");
    return this.scheduler
      ? { optimizer: this.optimizer, scheduler: this.scheduler }
      : { optimizer: this.optimizer };
  }

  /** The learning rate of the optimizer's only parameter group (an error with several). */
  get learningRate(): number {
    return this.#singleGroup().lr;
  }

  /** Sets the learning rate of the optimizer's only parameter group. */
  set learningRate(value: number) {
    this.#singleGroup().lr = value;
  }

  #singleGroup(): { lr: number } {
    if (!this.optimizer) throw new Error("Please specify 'system.optimizer' in the config.");
    if (this.optimizer.paramGroups.length > 1) {
      throw new Error(
        "The learning rate is not available when there are multiple optimizer parameter groups.",
      );
    }
    return this.optimizer.paramGroups[0];
  }

  /**
   * One step of the current mode on `batch` (the `batchIdx`-th of the epoch). Synchronous: it
   * records device work and never reads a value back. Returns the step output, which the trainer
   * backpropagates in train mode (`lossTotal(out.loss)`) and hands to callbacks.
   */
  step(batch: unknown, batchIdx: number): StepOutput {
    const host = this.#host;
    if (!host) {
      throw new Error(
        "System.step() needs a host: the Trainer attaches itself with system.attach(trainer)",
      );
    }
    const mode = host.mode;
    if (!mode) {
      throw new Error("System.step() was called outside a loop: the host's mode is null");
    }
    const adapters = this.adapters[mode];
    const parts = adapters.batch.call(batch);
    if (!Array.isArray(parts) || parts.length !== 3) {
      throw new TypeError(
        `System.adapters.${mode}.batch must return [input, target, identifier], got ${show(parts)}`,
      );
    }
    const [input, target, identifier] = parts;
    const pred = this.#predict(mode, input);
    const loss = mode === "train" || mode === "val"
      ? this.#loss(mode, adapters, input, target, pred)
      : null;
    const metrics = mode === "predict"
      ? null
      : this.#metricValues(mode, adapters, input, target, pred);
    if (host.loggingEnabled) {
      this.#log(host, mode, batchIdx, loss, metrics, batchSizeOf(input, batch));
    }
    const [i, t, p] = adapters.logging.call(input, target, pred);
    return {
      identifier,
      input: i,
      target: t,
      pred: p,
      loss,
      metrics,
      step: host.globalStep,
      epoch: host.currentEpoch,
    };
  }

  /** The tensor to backpropagate: the loss itself, or `total` of a dict loss. */
  lossTotal(loss: Tensor | Record<string, Tensor>): Tensor {
    if (loss instanceof Tensor) return loss;
    if (isDict(loss) && loss.total instanceof Tensor) return loss.total;
    throw new Error(`System.lossTotal(): ${LOSS_TOTAL_ERROR}`);
  }

  /** The model's state dict with a `model.` prefix on every key (as Lightning's System). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(this.model.stateDict())) out[`model.${k}`] = v;
    return out;
  }

  /**
   * Loads model weights from `dict`, whose keys may carry the `model.` prefix of `stateDict()`
   * or be the model's own keys (a state dict saved from the bare model).
   */
  loadStateDict(
    dict: Readonly<Record<string, Tensor>>,
    options: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    checkOptions("System.loadStateDict", options, ["strict"]);
    const keys = Object.keys(dict);
    const own = new Set(Object.keys(this.model.stateDict()));
    const prefixed = keys.length > 0 && keys.every((k) => k.startsWith("model."));
    const stripped = keys.filter((k) => own.has(k.slice(6))).length;
    const asIs = keys.filter((k) => own.has(k)).length;
    let source: Readonly<Record<string, Tensor>> = dict;
    if (prefixed && stripped >= asIs) {
      source = Object.fromEntries(keys.map((k) => [k.slice(6), dict[k]]));
    }
    return this.model.loadStateDict(source, options);
  }

  #predict(mode: Mode, input: unknown): unknown {
    if (this.inferer && mode !== "train") {
      return (this.inferer as Callable)(input, this.model);
    }
    return (this.model as unknown as { call(x: unknown): unknown }).call(input);
  }

  #loss(
    mode: Mode,
    adapters: ModeAdapters,
    input: unknown,
    target: unknown,
    pred: unknown,
  ): Tensor | Record<string, Tensor> {
    const criterion = this.criterion;
    if (!criterion) throw new Error("Please specify 'system.criterion' in the config.");
    const fn: Callable = typeof criterion === "function"
      ? (...a) => (criterion as Callable)(...a)
      : (...a) => (criterion.call as Callable).apply(criterion, a);
    const adapter = adapters.criterion;
    if (!adapter) throw new Error(`System.adapters.${mode} has no criterion adapter`);
    const loss = adapter.call(fn, input, target, pred);
    if (loss instanceof Tensor) return loss;
    if (isDict(loss) && Object.values(loss).every((v) => v instanceof Tensor)) {
      if (!("total" in loss)) throw new Error(LOSS_TOTAL_ERROR);
      return loss as Record<string, Tensor>;
    }
    throw new TypeError(
      `System: the criterion returned ${show(loss)} in ${mode} mode; expected a Tensor or a dict ` +
        `of Tensors with 'total'`,
    );
  }

  #metricValues(
    mode: MetricMode,
    adapters: ModeAdapters,
    input: unknown,
    target: unknown,
    pred: unknown,
  ): Record<string, Tensor> | null {
    const metrics = this.metrics[mode];
    if (!metrics) return null;
    const adapter = adapters.metrics;
    if (!adapter) throw new Error(`System.adapters.${mode} has no metrics adapter`);
    // Metric values carry no graph: they are logged, never backpropagated.
    const values = noGrad(() => adapter.call(forwardAll(metrics), input, target, pred));
    if (!isDict(values)) {
      throw new TypeError(
        `System.adapters.${mode}.metrics must return the metric values by name, got ${
          show(values)
        }`,
      );
    }
    return values as Record<string, Tensor>;
  }

  #log(
    host: SystemHost,
    mode: Mode,
    batchIdx: number,
    loss: Tensor | Record<string, Tensor> | null,
    metrics: Record<string, Tensor> | null,
    batchSize: number,
  ): void {
    const onStep: LogOptions = { onStep: true, onEpoch: false, batchSize };
    const onEpoch: LogOptions = { onStep: false, onEpoch: true, batchSize };
    const value = (name: string, t: unknown): Tensor => {
      if (!(t instanceof Tensor) || t.size !== 1) {
        throw new Error(
          `System: '${name}' must be a one-element tensor to be logged, got ${show(t)}`,
        );
      }
      return t.detach();
    };
    if (loss) {
      const parts: [string, Tensor][] = loss instanceof Tensor
        ? [["loss", loss]]
        : Object.entries(loss).map(([k, v]) => [`loss/${k}`, v]);
      for (const [name, t] of parts) {
        host.log(`${mode}/${name}/step`, value(`${mode}/${name}/step`, t), onStep);
        host.log(`${mode}/${name}/epoch`, value(`${mode}/${name}/epoch`, t), onEpoch);
      }
    }
    const collection = mode === "predict" ? undefined : this.metrics[mode];
    if (metrics && collection) {
      for (const [name, t] of Object.entries(metrics)) {
        host.log(`${mode}/metrics/${name}/step`, value(`${mode}/metrics/${name}/step`, t), onStep);
        const metric = collection[name];
        if (metric) host.log(`${mode}/metrics/${name}/epoch`, metric, onEpoch);
      }
    }
    if (mode === "train" && batchIdx === 0 && this.optimizer) {
      for (const [name, v] of Object.entries(optimizerStats(this.optimizer))) {
        host.log(`train/${name}`, v, onEpoch);
      }
    }
  }
}
