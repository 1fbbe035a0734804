/**
 * TensorFlow.js peer of bench/train_bench.ts: the same MLP and CNN training steps (tf ops +
 * `tf.train.adam(1e-3)`, one `tf.tidy` per step) and the same conv fwd+bwd, timed the same way
 * (`timeTraining`). TF.js is NHWC, so the conv input is [N, H, W, C] and filters [kH, kW, C, Cout];
 * the arithmetic is the same.
 *
 *   deno run -A --config bench/deno.json bench/peer_tfjs_train.ts
 *
 * @module
 */
import { median } from "./matmul_bench.ts";
import { openTf, type Tf } from "./peer_tfjs.ts";
import {
  type BenchRow,
  CONV_WORKLOADS,
  TFJS_TRAIN_TIMING,
  timeTraining,
  TRAIN_BATCH,
  TRAIN_ROWS,
  type TrainTiming,
} from "./train_bench.ts";

/** What the TF.js training peer measured, or why it could not. */
export interface TfjsTrainResult {
  /** Whether any backend ran. */
  available: boolean;
  /** "webgpu", or "cpu" when the WebGPU backend would not initialise. */
  backend?: string;
  /** Why WebGPU was not used, or why nothing ran. */
  note?: string;
  /** @tensorflow/tfjs version. */
  version?: string;
  /** Figures under the TRAIN_ROWS names. */
  rows?: BenchRow[];
}

type Tensor = ReturnType<Tf["tensor"]>;
type Tensor4D = ReturnType<Tf["tensor4d"]>;
type Variable = ReturnType<Tf["variable"]>;

/** A weight from U(±1/sqrt(fanIn)), PyTorch's default, as a trainable variable. */
function param(tf: Tf, shape: number[], fanIn: number, seed: number): Variable {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.variable(tf.randomUniform(shape, -bound, bound, "float32", seed));
}

/** A model as its variables and a forward pass from an NHWC batch to logits. */
interface TfModel {
  vars: Variable[];
  forward: (x: Tensor) => Tensor;
}

function mlp(tf: Tf): TfModel {
  const sizes = [784, 256, 256, 10];
  const layers = sizes.slice(1).map((out, i) => ({
    w: param(tf, [sizes[i], out], sizes[i], 10 + i),
    b: param(tf, [out], sizes[i], 20 + i),
  }));
  return {
    vars: layers.flatMap((l) => [l.w, l.b]),
    forward: (x) => {
      let h = tf.reshape(x, [x.shape[0], 784]);
      layers.forEach((l, i) => {
        h = tf.add(tf.matMul(h, l.w), l.b);
        if (i < layers.length - 1) h = tf.relu(h);
      });
      return h;
    },
  };
}

function cnn(tf: Tf): TfModel {
  const c1 = param(tf, [3, 3, 1, 32], 9, 30), b1 = param(tf, [32], 9, 31);
  const c2 = param(tf, [3, 3, 32, 64], 288, 32), b2 = param(tf, [64], 288, 33);
  const f1 = param(tf, [3136, 128], 3136, 34), fb1 = param(tf, [128], 3136, 35);
  const f2 = param(tf, [128, 10], 128, 36), fb2 = param(tf, [10], 128, 37);
  const block = (x: Tensor4D, w: Variable, b: Variable): Tensor4D =>
    tf.maxPool(
      tf.relu(tf.add(tf.conv2d(x, w as Tensor4D, 1, "same"), b)) as Tensor4D,
      2,
      2,
      "valid",
    );
  return {
    vars: [c1, b1, c2, b2, f1, fb1, f2, fb2],
    forward: (x) => {
      const h = block(block(x as Tensor4D, c1, b1), c2, b2);
      const flat = tf.reshape(h, [x.shape[0], 3136]);
      const fc = tf.relu(tf.add(tf.matMul(flat, f1), fb1));
      return tf.add(tf.matMul(fc, f2), fb2);
    },
  };
}

async function trainModel(
  tf: Tf,
  model: TfModel,
  timing: TrainTiming,
  names: [string, string],
): Promise<BenchRow[]> {
  const x = tf.randomNormal([TRAIN_BATCH, 28, 28, 1], 0, 1, "float32", 1);
  const labels = Int32Array.from({ length: TRAIN_BATCH }, (_, i) => (i * 7 + 3) % 10);
  const y = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
  const optimizer = tf.train.adam(1e-3);
  const step = (): Tensor =>
    tf.tidy(() =>
      optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.forward(x)) as ReturnType<Tf["scalar"]>,
        true,
        model.vars,
      )!
    );
  const [perRound, perStep] = await timeTraining(
    step,
    async (l) => (await l.data())[0],
    (l) => l.dispose(),
    timing,
  );
  optimizer.dispose();
  for (const t of [x, y, ...model.vars]) t.dispose();
  return [
    { name: names[0], value: perRound, unit: "samples/s" },
    { name: names[1], value: perStep, unit: "samples/s" },
  ];
}

async function convFwdBwd(
  tf: Tf,
  input: [number, number, number, number],
  outChannels: number,
  timing: TrainTiming,
): Promise<number> {
  const [n, c, h, w] = input;
  const x = tf.randomNormal([n, h, w, c], 0, 1, "float32", 2);
  const filter = tf.randomNormal([3, 3, c, outChannels], 0, 1, "float32", 3);
  const dy = tf.randomNormal([n, h, w, outChannels], 0, 1, "float32", 4);
  await Promise.all([x.data(), filter.data(), dy.data()]);
  const grads = tf.grads((a: Tensor, b: Tensor) =>
    tf.conv2d(a as Tensor4D, b as Tensor4D, 1, "same")
  );
  const times: number[] = [];
  for (let i = 0; i < timing.warmup + timing.rounds; i++) {
    const t0 = performance.now();
    const [dx, dw] = grads([x, filter], dy);
    await Promise.all([dw.data(), dx.data()]);
    if (i >= timing.warmup) times.push(performance.now() - t0);
    dx.dispose();
    dw.dispose();
  }
  for (const t of [x, filter, dy]) t.dispose();
  return median(times);
}

/** TF.js's training figures under the TRAIN_ROWS names, or why it could not run. */
export async function benchTfjsTrain(
  log: (line: string) => void = () => {},
): Promise<TfjsTrainResult> {
  const opened = await openTf();
  if (!opened.available) return opened;
  const { tf, backend, note } = opened;
  const rows: BenchRow[] = [];
  try {
    const mlpRows = await trainModel(tf, mlp(tf), TFJS_TRAIN_TIMING.mlp, [
      TRAIN_ROWS.mlp,
      TRAIN_ROWS.mlpSync,
    ]);
    log(`TF.js ${TRAIN_ROWS.mlp}: ${mlpRows[0].value.toFixed(0)} samples/s`);
    rows.push(...mlpRows);
    const cnnRows = await trainModel(tf, cnn(tf), TFJS_TRAIN_TIMING.cnn, [
      TRAIN_ROWS.cnn,
      TRAIN_ROWS.cnnSync,
    ]);
    log(`TF.js ${TRAIN_ROWS.cnn}: ${cnnRows[0].value.toFixed(1)} samples/s`);
    rows.push(...cnnRows);
    for (const wl of CONV_WORKLOADS) {
      const ms = await convFwdBwd(tf, wl.input, wl.outChannels, TFJS_TRAIN_TIMING.conv);
      log(`TF.js ${wl.name}: ${ms.toFixed(1)} ms`);
      rows.push({ name: wl.name, value: ms, unit: "ms" });
    }
  } catch (e) {
    return {
      available: rows.length > 0,
      backend,
      version: tf.version.tfjs,
      note: `${note ? note + "; " : ""}stopped: ${e instanceof Error ? e.message : e}`,
      rows,
    };
  }
  return { available: true, backend, note, version: tf.version.tfjs, rows };
}

if (import.meta.main) {
  const r = await benchTfjsTrain((line) => console.error(line));
  console.log(JSON.stringify(r, null, 2));
  // TF.js keeps its WebGPU device alive.
  Deno.exit(0);
}
