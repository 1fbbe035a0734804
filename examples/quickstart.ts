/**
 * Quickstart: an MLP (784-256-256-10) trained on Fashion-MNIST with Adam, end to end on WebGPU.
 *
 *     deno run -A examples/quickstart.ts [--epochs 1] [--root DIR] [--limit N]
 *
 * Reads the IDX files from /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist),
 * from --root, or downloads them (SHA-256 checked) into .data/fashion-mnist. Prints the loss as it trains, then test accuracy and throughput.
 *
 * @module
 */
import { data, datasets, deviceInfo, F, nn, noGrad, optim, type Tensor, tidy } from "../mod.ts";

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && Deno.args[i + 1] !== undefined ? Deno.args[i + 1] : fallback;
}

const SYSTEM_ROOT = "/usr/share/datasets/fashion-mnist";
const exists = (path: string): boolean => {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
};
// Debian's dataset-fashion-mnist when installed; otherwise download (SHA-256 checked) into .data/.
const root = flag(
  "root",
  exists(`${SYSTEM_ROOT}/train-images-idx3-ubyte.gz`) ? SYSTEM_ROOT : ".data/fashion-mnist",
);
const epochs = Number(flag("epochs", "1"));
const limit = Number(flag("limit", "0"));
const batchSize = 64;

type Batch = [Tensor, Tensor];
const toTensor = new data.transforms.ToTensor();
const download = root !== SYSTEM_ROOT;
const full = new datasets.FashionMNIST({ root, train: true, download });
try {
  await full.load();
} catch (e) {
  console.error(
    `Fashion-MNIST could not be read from ${root} (${(e as Error).message}). Install it ` +
      "(apt-get install dataset-fashion-mnist) or pass --root DIR holding the IDX files",
  );
  Deno.exit(1);
}
const train = limit > 0
  ? new datasets.Subset({ dataset: full, indices: Array.from({ length: limit }, (_, i) => i) })
  : full;
const test = new datasets.FashionMNIST({ root, train: false, download });
const trainLoader = new data.DataLoader<Batch>({
  dataset: train,
  batchSize,
  shuffle: true,
  seed: 0,
  batchTransform: toTensor,
});
const testLoader = new data.DataLoader<Batch>({
  dataset: test,
  batchSize: 500,
  batchTransform: toTensor,
});

const model = new nn.Sequential(
  new nn.Flatten(),
  new nn.Linear({ inFeatures: 784, outFeatures: 256 }),
  new nn.ReLU(),
  new nn.Linear({ inFeatures: 256, outFeatures: 256 }),
  new nn.ReLU(),
  new nn.Linear({ inFeatures: 256, outFeatures: 10 }),
);
const optimizer = new optim.Adam({ params: model.parameters(), lr: 1e-3 });

console.log(`adapter: ${deviceInfo().description}`);
console.log(`model: ${model.numParameters()} parameters; ${train.length} training samples`);

for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  const start = performance.now();
  let step = 0, seen = 0;
  for await (const [x, y] of trainLoader) {
    const loss = tidy(() => {
      optimizer.zeroGrad();
      const l = F.crossEntropy(model.call(x), y);
      l.backward();
      optimizer.step();
      return l;
    });
    seen += x.shape[0];
    x.dispose();
    y.dispose();
    // Reading back waits for the device: do it now and then, not every step.
    if (++step % 200 === 0) {
      console.log(`epoch ${epoch} step ${step}: loss ${(await loss.item()).toFixed(4)}`);
    }
    loss.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  model.eval();
  let correct = 0, total = 0;
  for await (const [x, y] of testLoader) {
    const hits = tidy(() => noGrad(() => model.call(x).argmax(1).eq(y).sum()));
    correct += await hits.item();
    total += x.shape[0];
    for (const t of [hits, x, y]) t.dispose();
  }
  console.log(
    `epoch ${epoch}: ${seconds.toFixed(1)} s, ${(seen / seconds).toFixed(0)} samples/s, ` +
      `test accuracy ${(correct / total).toFixed(4)}`,
  );
}
