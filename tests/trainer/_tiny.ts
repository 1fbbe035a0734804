/** Tiny systems for trainer tests: a linear classifier on fixed data, in the Lightning fixture's shape. */
import {
  adapters,
  data,
  datasets,
  metrics,
  nn,
  optim,
  System,
  type Tensor,
  tensor,
  Trainer,
  type TrainerOptions,
} from "../../mod.ts";
import { type FixtureTensor, loadFixtures } from "../_helpers.ts";

/** The trainer fixture (torch-made). */
export interface TrainerFixture {
  x: FixtureTensor;
  y: FixtureTensor;
  cases: {
    accumulate: number;
    clip_val: number | null;
    algorithm: "norm" | "value";
    epochs: number;
    batch: number;
    weight0: FixtureTensor;
    bias0: FixtureTensor;
    weight: FixtureTensor;
    bias: FixtureTensor;
  }[];
}

/** The fixture's data as host arrays. */
export async function fixtureData(): Promise<{ x: Float32Array; y: Int32Array }> {
  const f = await loadFixtures<TrainerFixture>("trainer");
  return { x: new Float32Array(f.x.data), y: new Int32Array(f.y.data) };
}

/** A loader over rows of `x` [n, 4] and `y` [n]. */
export function loader(
  x: Float32Array,
  y: Int32Array,
  options: { batchSize?: number; shuffle?: boolean; seed?: number } = {},
): data.DataLoader<[Tensor, Tensor]> {
  const n = y.length;
  return new data.DataLoader<[Tensor, Tensor]>({
    dataset: new datasets.TensorDataset({
      tensors: [data.hostArray(x, [n, 4]), data.hostArray(y, [n])],
    }),
    batchSize: options.batchSize ?? 8,
    shuffle: options.shuffle ?? false,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
}

/** Options of `tinySystem`. */
export interface TinyOptions {
  /** Hidden layer with dropout (exercises the generator) instead of one Linear. */
  mlp?: boolean;
  optimizer?: "sgd" | "adam";
  lr?: number;
  momentum?: number;
  scheduler?: boolean;
  metrics?: boolean;
  trainBatches?: number;
  valBatches?: number;
  shuffle?: boolean;
  weights?: { weight: FixtureTensor; bias: FixtureTensor };
}

/** A classifier of 4 features into 3 classes: 5 train batches and 4 val batches of 8 by default. */
export async function tinySystem(options: TinyOptions = {}): Promise<System> {
  const { x, y } = await fixtureData();
  const model = options.mlp
    ? new nn.Sequential({
      layers: [
        new nn.Linear({ inFeatures: 4, outFeatures: 16 }),
        new nn.ReLU(),
        new nn.Dropout({ p: 0.2 }),
        new nn.Linear({ inFeatures: 16, outFeatures: 3 }),
      ],
    })
    : new nn.Linear({ inFeatures: 4, outFeatures: 3 });
  if (options.weights) {
    model.loadStateDict({
      weight: tensor(new Float32Array(options.weights.weight.data), {
        shape: options.weights.weight.shape,
      }),
      bias: tensor(new Float32Array(options.weights.bias.data), {
        shape: options.weights.bias.shape,
      }),
    });
  }
  const params = model.parameters();
  const optimizer = options.optimizer === "adam"
    ? new optim.Adam({ params, lr: options.lr ?? 0.01 })
    : new optim.SGD({ params, lr: options.lr ?? 0.5, momentum: options.momentum ?? 0.9 });
  const nTrain = (options.trainBatches ?? 5) * 8;
  const nVal = (options.valBatches ?? 4) * 8;
  const acc = () => new metrics.Accuracy({ task: "multiclass", numClasses: 3 });
  return new System({
    model,
    criterion: new nn.CrossEntropyLoss(),
    optimizer,
    scheduler: options.scheduler
      ? new optim.StepLR({ optimizer, stepSize: 1, gamma: 0.5 })
      : undefined,
    metrics: options.metrics ? { train: [acc()], val: [acc()], test: [acc()] } : undefined,
    dataloaders: {
      train: loader(x.subarray(0, nTrain * 4), y.subarray(0, nTrain), {
        shuffle: options.shuffle,
      }),
      val: loader(x.subarray(0, nVal * 4), y.subarray(0, nVal)),
      test: loader(x.subarray(0, nVal * 4), y.subarray(0, nVal)),
      predict: loader(x.subarray(0, 16 * 4), y.subarray(0, 16)),
    },
    // The loaders yield [input, label]; predict's default adapter would pass the whole batch.
    adapters: { predict: { batch: new adapters.BatchAdapter({ inputAccessor: 0 }) } },
  });
}

/** A trainer without output or files unless the options ask. */
export function quietTrainer(options: TrainerOptions = {}): Trainer {
  return new Trainer({
    logger: false,
    enableCheckpointing: false,
    enableProgressBar: false,
    ...options,
  });
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "lumen-trainer-" });
}

/** Host copies of every weight and optimizer state tensor, by name. */
export async function snapshot(system: System): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(system.stateDict())) out[k] = Array.from(await t.data());
  const sd = system.optimizer!.stateDict();
  for (const [i, s] of Object.entries(sd.state)) {
    for (const [name, v] of Object.entries(s)) {
      out[`opt.${i}.${name}`] = typeof v === "number"
        ? [v]
        : Array.from(await (v as Tensor).data());
    }
  }
  return out;
}

/** Asserts `fn` throws an error whose message contains `text`. */
export function throwsWith(fn: () => unknown, text: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof Error)) throw new Error(`expected an error containing: ${text}`);
  if (!error.message.includes(text)) {
    throw new Error(`error message\n  ${error.message}\ndoes not contain\n  ${text}`);
  }
}

/** Asserts `fn` rejects with an error whose message contains `text`. */
export async function rejectsWith(fn: () => Promise<unknown>, text: string): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof Error)) throw new Error(`expected a rejection containing: ${text}`);
  if (!error.message.includes(text)) {
    throw new Error(`error message\n  ${error.message}\ndoes not contain\n  ${text}`);
  }
}
