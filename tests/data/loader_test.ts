import assert from "node:assert/strict";
import { data, datasets, memory, type Tensor } from "../../mod.ts";
import { writeMnist } from "./_files.ts";

const T = data.transforms;
type Batch = [Tensor, Tensor];

async function collect(loader: data.DataLoader): Promise<number[][][]> {
  const out: number[][][] = [];
  for await (const b of loader as AsyncIterable<Batch>) {
    out.push([Array.from(await b[0].data()), Array.from(await b[1].data())]);
    b[0].dispose();
    b[1].dispose();
  }
  return out;
}

const ints = (n: number) =>
  new datasets.TensorDataset({
    tensors: [
      data.hostArray(Float32Array.from({ length: n }, (_, i) => i), [n, 1]),
      data.hostArray(
        Int32Array.from({ length: n }, (_, i) => i % 3),
        [n],
      ),
    ],
  });

Deno.test("batches in order, last batch kept or dropped, length", async () => {
  const loader = new data.DataLoader({ dataset: ints(7), batchSize: 3 });
  assert.equal(loader.length, 3);
  const b = await collect(loader);
  assert.deepEqual(b.map((x) => x[0]), [[0, 1, 2], [3, 4, 5], [6]]);
  assert.deepEqual(b[2][1], [0]);
  const dropped = new data.DataLoader({ dataset: ints(7), batchSize: 3, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.equal((await collect(dropped)).length, 2);
  assert.throws(
    () => new data.DataLoader({ dataset: ints(3), batchSize: 0 }),
    /batchSize must be an integer >= 1, got 0/,
  );
});

Deno.test("shuffling is a seeded permutation, reproducible, new each epoch", async () => {
  const make = (seed: number) =>
    new data.DataLoader({ dataset: ints(20), batchSize: 6, shuffle: true, seed });
  const a = make(7), b = make(7);
  const a0 = (await collect(a)).flatMap((x) => x[0]);
  const b0 = (await collect(b)).flatMap((x) => x[0]);
  assert.deepEqual(a0, b0);
  assert.deepEqual([...a0].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
  assert.notDeepEqual(a0, Array.from({ length: 20 }, (_, i) => i));
  const a1 = (await collect(a)).flatMap((x) => x[0]);
  assert.notDeepEqual(a1, a0, "epoch 1 differs from epoch 0");
  const c = make(7);
  c.setEpoch(1);
  assert.deepEqual((await collect(c)).flatMap((x) => x[0]), a1);
  assert.notDeepEqual((await collect(make(8))).flatMap((x) => x[0]), a0);
});

Deno.test("workers produce the same batches as no workers (random transforms included)", async () => {
  const root = await writeMnist(37, { rows: 6, cols: 5 });
  const dataset = new datasets.MNIST({
    root,
    transform: T.compose({
      transforms: [
        T.randomCrop({ size: [6, 5], padding: 2 }),
        T.randomHorizontalFlip(),
        T.toTensor(),
      ],
    }),
  });
  const opts = { dataset, batchSize: 8, shuffle: true, seed: 3 };
  const main = await collect(new data.DataLoader(opts));
  const workers = await collect(new data.DataLoader({ ...opts, numWorkers: 2, prefetch: 1 }));
  assert.equal(main.length, 5);
  assert.deepEqual(workers, main);
  // And the batched device form of the same pipeline gives identically shaped, valid batches.
  const gpu = new data.DataLoader({
    dataset: new datasets.MNIST({ root }),
    batchSize: 8,
    batchTransform: T.compose({ transforms: [T.toTensor(), T.normalize({ mean: 0.5, std: 0.5 })] }),
  });
  const first = (await collect(gpu))[0][0];
  const raw = (await dataset.getItem(0), new datasets.MNIST({ root }));
  const [img] = await raw.getItem(1) as [data.HostArray, number];
  assert.ok(Math.abs(first[30] - (img.data[0] / 255 - 0.5) / 0.5) < 1e-6);
  await Deno.remove(root, { recursive: true });
});

Deno.test("a worker's bad-data error reaches the loop as a DataFormatError", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/a`);
  await Deno.writeFile(`${root}/a/x.png`, new Uint8Array([9, 9, 9, 9]));
  const loader = new data.DataLoader({
    dataset: new datasets.ImageFolder({ root }),
    numWorkers: 1,
  });
  await assert.rejects(
    async () => {
      for await (const _ of loader) { /* the first batch fails */ }
    },
    (e: Error) =>
      e instanceof data.DataFormatError &&
      e.message.startsWith(`${root}/a/x.png at byte 0: unreadable image`),
  );
  const missing = new data.DataLoader({ dataset: new datasets.MNIST({ root }), numWorkers: 1 });
  await assert.rejects(async () => {
    for await (const _ of missing) { /* unreachable */ }
  }, /MNIST: found neither train-images-idx3-ubyte nor train-images-idx3-ubyte.gz/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("a function transform cannot go to workers; the error says why", async () => {
  const ds = new datasets.TensorDataset({ tensors: [data.hostArray(new Float32Array(4), [4])] });
  const sub = new datasets.Subset({
    dataset: { length: 4, getItem: (i: number) => i },
    indices: [0, 1],
  });
  await assert.rejects(async () => {
    for await (const _ of new data.DataLoader({ dataset: sub, numWorkers: 1 })) { /* */ }
  }, /Subset.dataset.getItem is a function, which cannot be sent to a worker/);
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  await Deno.writeTextFile(path, "a,y\n1,0\n");
  const csv = new datasets.CSVDataset({ path, transform: (x: unknown) => x });
  await assert.rejects(async () => {
    for await (const _ of new data.DataLoader({ dataset: csv, numWorkers: 1 })) { /* */ }
  }, /CSVDataset.transform is a function, which cannot be sent to a worker; use a transform class/);
  // A custom collate runs on the main thread and gets the raw samples.
  const custom = new data.DataLoader({
    dataset: ds,
    batchSize: 4,
    collate: (s) => [(data.defaultCollate(s) as Tensor[])[0], data.defaultCollate([0, 1, 2, 3])],
  });
  assert.deepEqual(await collect(custom), [[[0, 0, 0, 0], [0, 1, 2, 3]]]);
});

Deno.test("breaking out early frees the prefetched batches", async () => {
  const loader = new data.DataLoader({ dataset: ints(40), batchSize: 4, prefetch: 3 });
  const before = memory().liveBuffers;
  for await (const b of loader as AsyncIterable<Batch>) {
    b[0].dispose();
    b[1].dispose();
    break;
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(memory().liveBuffers, before);
});

Deno.test("an IterableDataset is batched in stream order", async () => {
  class Stream extends data.IterableDataset<[data.HostArray, number]> {
    override *stream(): Generator<[data.HostArray, number]> {
      for (let i = 0; i < 5; i++) yield [data.hostArray(new Float32Array([i]), [1]), i];
    }
  }
  const b = await collect(new data.DataLoader({ dataset: new Stream(), batchSize: 2 }));
  assert.deepEqual(b.map((x) => x[1]), [[0, 1], [2, 3], [4]]);
  assert.throws(
    () => new data.DataLoader({ dataset: new Stream(), shuffle: true }),
    /cannot shuffle an IterableDataset/,
  );
});
