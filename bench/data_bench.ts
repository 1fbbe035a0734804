/**
 * Data pipeline bench: the loader's throughput on Fashion-MNIST with and without workers, and a
 * training epoch fed by the prefetching loader against the same epoch over batches already on
 * the device (the loader should cost at most 10% more).
 *
 * Run alone: `deno run -A bench/data_bench.ts`.
 *
 * @module
 */
import { arange, data, datasets, noGrad, randn, type Tensor, tidy, zeros } from "../mod.ts";

const ROOT = "/usr/share/datasets/fashion-mnist";

/** One bench result. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

async function throughput(
  dataset: data.Dataset,
  numWorkers: number,
  batchSize: number,
): Promise<number> {
  const loader = new data.DataLoader({ dataset, batchSize, shuffle: true, numWorkers, seed: 0 });
  await loader.load();
  const start = performance.now();
  let n = 0, last: Tensor | null = null;
  for await (const batch of loader as AsyncIterable<[Tensor, Tensor]>) {
    n += batch[0].shape[0];
    last?.dispose();
    last = batch[0];
    batch[1].dispose();
  }
  if (last) await last.data(); // every upload has reached the device
  last?.dispose();
  return n / ((performance.now() - start) / 1000);
}

interface Mlp {
  params: Tensor[];
}

function makeMlp(): Mlp {
  const w1 = randn([784, 128]).mul(0.05), b1 = zeros([128]);
  const w2 = randn([128, 10]).mul(0.1), b2 = zeros([10]);
  for (const p of [w1, b1, w2, b2]) p.requiresGrad = true;
  return { params: [w1, b1, w2, b2] };
}

const CLASSES = arange(0, 10, 1, { dtype: "float32" });

/** One SGD step on a batch; returns the loss, read back (a step ends when its loss is known). */
async function step(mlp: Mlp, x: Tensor, y: Tensor, lr: number): Promise<number> {
  const loss = tidy(() => {
    const [w1, b1, w2, b2] = mlp.params;
    const out = x.reshape(x.shape[0], 784).matmul(w1).add(b1).relu().matmul(w2).add(b2);
    const target = y.to("float32").unsqueeze(1).eq(CLASSES);
    const l = out.sub(target).pow(2).mean();
    l.backward();
    const next = noGrad(() => mlp.params.map((p) => p.sub(p.grad!.mul(lr))));
    for (const p of mlp.params) {
      p.grad?.dispose();
      p.dispose();
    }
    for (const p of next) p.requiresGrad = true;
    mlp.params = next;
    return [l.detach(), ...next];
  })[0];
  const value = await loss.item();
  loss.dispose();
  return value;
}

async function epochTimes(
  dataset: data.Dataset,
  batchSize: number,
): Promise<{ prefetch: number; prebuilt: number }> {
  const loader = new data.DataLoader({ dataset, batchSize, shuffle: true, seed: 0, prefetch: 2 });
  await loader.load();
  const mlp = makeMlp();
  const prebuilt: [Tensor, Tensor][] = [];
  for await (const b of loader as AsyncIterable<[Tensor, Tensor]>) prebuilt.push(b);
  await prebuilt.at(-1)![0].data();
  const overPrebuilt = async (): Promise<number> => {
    const start = performance.now();
    for (const [x, y] of prebuilt) await step(mlp, x, y, 0.05);
    return performance.now() - start;
  };
  const overLoader = async (): Promise<number> => {
    loader.setEpoch(0);
    const start = performance.now();
    for await (const [x, y] of loader as AsyncIterable<[Tensor, Tensor]>) {
      await step(mlp, x, y, 0.05);
      x.dispose();
      y.dispose();
    }
    return performance.now() - start;
  };
  await overPrebuilt(); // warm-up: compiles every pipeline, fills the buffer pool
  // Interleaved runs, the fastest of each kind: drift in machine load favours neither side.
  const prebuiltRuns: number[] = [], loaderRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    loaderRuns.push(await overLoader());
    prebuiltRuns.push(await overPrebuilt());
  }
  const prefetchTime = Math.min(...loaderRuns);
  const prebuiltTime = Math.min(...prebuiltRuns);
  for (const [x, y] of prebuilt) {
    x.dispose();
    y.dispose();
  }
  for (const p of mlp.params) p.dispose();
  return { prefetch: prefetchTime / 1000, prebuilt: prebuiltTime / 1000 };
}

/** Runs the data benches; results as name, value, unit. */
export async function benchData(): Promise<BenchResult[]> {
  const transform = data.transforms.toTensor();
  const train = new datasets.FashionMNIST({ root: ROOT, train: true, transform });
  const test = new datasets.FashionMNIST({ root: ROOT, train: false, transform });
  await train.load();
  await test.load();
  const results: BenchResult[] = [];
  for (const workers of [0, 2]) {
    results.push({
      name: `data.loader.fashion_mnist.train.batch256.workers${workers}`,
      value: Math.round(await throughput(train, workers, 256)),
      unit: "samples/s",
    });
  }
  const { prefetch, prebuilt } = await epochTimes(test, 256);
  results.push(
    { name: "data.epoch.fashion_mnist.test.mlp.prefetch", value: prefetch, unit: "s" },
    { name: "data.epoch.fashion_mnist.test.mlp.prebuilt_gpu_batches", value: prebuilt, unit: "s" },
    { name: "data.epoch.prefetch_overhead", value: (prefetch / prebuilt - 1) * 100, unit: "%" },
  );
  return results;
}

if (import.meta.main) {
  for (const r of await benchData()) console.log(`${r.name}: ${r.value.toFixed(3)} ${r.unit}`);
}
