/**
 * lumen: deep-learning experiments from YAML configs on hand-written WebGPU kernels, for Deno.
 *
 * @example
 * ```ts
 * import { tensor } from "lumen";
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.matmul(x).relu().sum();
 * y.backward();
 * console.log(await y.item(), await x.grad!.data()); // 54 Float32Array(4) [7, 11, 9, 13]
 * ```
 *
 * @module
 */
import { ready } from "./src/device/default_device.ts";

// lumen's one top-level await: `import ... from "lumen"` comes with the GPU acquired, so scripts
// and examples use tensors at once. A failure is kept and thrown by the first tensor op (and by
// `ready()`), so config tools still run without a GPU. Data workers skip it: a dataset module a
// worker loads may import lumen, and workers never touch the GPU. Modules under src/ acquire
// nothing at import; see README's "Engine layout".
if (!("WorkerGlobalScope" in globalThis)) await ready().catch(() => undefined);

export * from "./src/tensor/mod.ts";
export { noGrad } from "./src/autograd/grad_mode.ts";
export { autocast, isAutocastEnabled } from "./src/ops/autocast.ts";
export { fused, isFusing } from "./src/ops/fusion.ts";
export { deviceInfo, deviceStats, flush, memory, ready } from "./src/device/default_device.ts";
export type { DeviceInfo, DeviceStats, MemoryInfo } from "./src/device/device.ts";
export { NoAdapterError } from "./src/device/webgpu/acquire.ts";
export * from "./src/config/mod.ts";
export * from "./src/io/mod.ts";
export type { DeviceBuffer } from "./src/device/device.ts";
export type { Deferred, Storage } from "./src/tensor/storage.ts";
export type { GradNode } from "./src/autograd/node.ts";
/** Layers with PyTorch's names (`nn.Linear`, `nn.Conv2d`, ...) and `nn.functional`. */
export * as nn from "./src/nn/mod.ts";
/** `nn.functional`: stateless ops (`F.conv2d`, `F.crossEntropy`, ...). */
export * as F from "./src/nn/functional/mod.ts";
/** Optimizers and learning-rate schedulers. */
export * as optim from "./src/optim/mod.ts";
/** Datasets, transforms and the DataLoader. */
export * as data from "./src/data/mod.ts";
/** Ready datasets: MNIST, FashionMNIST, CSVDataset, ImageFolder. */
export * as datasets from "./src/data/datasets/mod.ts";
/** Metrics as torchmetrics 1.9 defines them, on the device: Accuracy, F1Score, AUROC, ... */
export * as metrics from "./src/metrics/mod.ts";
export { checkOptions, closestNames } from "./src/util/options.ts";
/** Lighter's System: the model, its loss, optimizer, metrics and adapters, one step for every mode. */
export {
  type LogOptions,
  type Mode,
  type ModeAdapters,
  type ModeAdaptersOption,
  type StepOutput,
  System,
  type SystemHost,
  type SystemOptions,
} from "./src/system/mod.ts";
/** Adapters between batch, model, criterion, metrics and step output (`BatchAdapter`, ...). */
export * as adapters from "./src/system/adapters.ts";
/** The Trainer: runs a System's stages (fit, validate, test, predict) with Lightning's options. */
export * from "./src/trainer/mod.ts";
/** Callbacks with Lightning's hooks: `Callback`, `ModelCheckpoint`, `EarlyStopping`. */
export * as callbacks from "./src/trainer/callbacks/mod.ts";
/** Loggers: `CSVLogger` (Lightning's metrics.csv and hparams.yaml layout). */
export * as loggers from "./src/trainer/loggers/mod.ts";
/** The tuner: `lrFind` (learning-rate range test) and `scaleBatchSize` (batch-size finder). */
export * as tuner from "./src/tuner/mod.ts";
export { VERSION } from "./src/version.ts";
/** `run(stage, config, overrides)`: Lighter's Runner (seed, load, prune, resolve, call the stage). */
export { run, type RunOptions } from "./src/runner/mod.ts";
/** `seedEverything(seed?)`: the global seed, from the argument, `PL_GLOBAL_SEED` or `LUMEN_SEED`. */
export { seedEverything } from "./src/runner/mod.ts";
/** Lighter's `adjust_prefix_and_load_state_dict`: pretrained weights in, key prefixes adjusted. */
export {
  adjustPrefixAndLoadStateDict,
  type AdjustPrefixOptions,
} from "./src/trainer/pretrained.ts";
// Types that the top-level classes above mention, exported so their documentation is complete.
export type { AnyModule } from "./src/nn/module.ts";
export type { Optimizer } from "./src/optim/optimizer.ts";
export type { Scheduler } from "./src/optim/lr_scheduler.ts";
export type { DataLoader } from "./src/data/loader.ts";
export type { Metric } from "./src/metrics/metric.ts";
export type { Callback } from "./src/trainer/callbacks/callback.ts";
export type { ModelCheckpoint } from "./src/trainer/callbacks/model_checkpoint.ts";
export type { Logger } from "./src/trainer/loggers/logger.ts";
export type { TrainerSettings } from "./src/trainer/options.ts";
export type { PrecisionName } from "./src/trainer/precision.ts";
export type { Module } from "./src/nn/module.ts";
export type {
  FusedUpdate,
  OptimizerStateDict,
  OptimizerStepOptions,
  ParamGroup,
  ParamState,
} from "./src/optim/optimizer.ts";
export type { SchedulerStateDict } from "./src/optim/lr_scheduler.ts";
export type { Dataset, IterableDataset } from "./src/data/dataset.ts";
export type { TransformLike } from "./src/data/transforms/transform.ts";
export type { CheckpointState, HookResult } from "./src/trainer/callbacks/callback.ts";
export type { BatchLimit } from "./src/trainer/options.ts";
export type { HookName } from "./src/trainer/trainer.ts";
export type { KernelSpec } from "./src/device/device.ts";
export type { LoadStateDictOptions, LoadStateDictResult } from "./src/nn/module.ts";
export type { Transform } from "./src/data/transforms/transform.ts";
export type { BatchSizeTrial, LrFindResult, ScaleBatchSizeResult } from "./src/tuner/mod.ts";
