/**
 * The DataLoader, datasets, transforms and schedulers reject unknown options, naming the class,
 * the key and the closest valid names; the options they document still build.
 */
import assert from "node:assert/strict";
import { data, datasets, optim, tensor } from "../../mod.ts";
import { encodePng } from "../../src/deps.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

const T = data.transforms;

function assertRejects(build: () => unknown, message: string): void {
  assert.throws(build, (e: unknown) => {
    assert(e instanceof TypeError, `expected a TypeError, got ${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

const base = () =>
  new datasets.TensorDataset({
    tensors: [data.hostArray(Float32Array.from([0, 1, 2, 3]), [4])],
  });

Deno.test("DataLoader: 'batch_size' and 'shuffel' are rejected with suggestions", () => {
  const valid = "Valid options: dataset, batchSize, shuffle, dropLast, numWorkers, prefetch, " +
    "collate, seed, batchTransform, persistentWorkers";
  assertRejects(
    () => new data.DataLoader({ dataset: base(), batch_size: 2 } as Loose),
    `DataLoader has no option 'batch_size'. Did you mean 'batchSize'? ${valid}`,
  );
  assertRejects(
    () => new data.DataLoader({ dataset: base(), shuffel: true } as Loose),
    `DataLoader has no option 'shuffel'. Did you mean 'shuffle'? ${valid}`,
  );
  const loader = new data.DataLoader({
    dataset: base(),
    batchSize: 3,
    shuffle: true,
    dropLast: true,
    numWorkers: 0,
    prefetch: 1,
    seed: 3,
    persistentWorkers: false,
  });
  assert.equal(loader.length, 1);
  assert.equal(loader.seed, 3);
});

Deno.test("datasets reject unknown options before touching any file", () => {
  assertRejects(
    () => new datasets.TensorDataset({ tensor: [] } as Loose),
    "TensorDataset has no option 'tensor'. Did you mean 'tensors'? Valid options: tensors",
  );
  assertRejects(
    () => new datasets.Subset({ dataset: base(), indexes: [0] } as Loose),
    "Subset has no option 'indexes'. Did you mean 'indices'? Valid options: dataset, indices",
  );
  assertRejects(
    () => new datasets.KFold({ dataset: base(), k: 2, fold: 0, shufle: false } as Loose),
    "KFold has no option 'shufle'. Did you mean 'shuffle'? " +
      "Valid options: dataset, k, fold, seed, shuffle, train",
  );
  assertRejects(
    () => datasets.randomSplit({ dataset: base(), lengths: [2, 2], sead: 1 } as Loose),
    "randomSplit has no option 'sead'. Did you mean 'seed'? Valid options: dataset, lengths, seed",
  );
  assertRejects(
    () => new datasets.CSVDataset({ path: "/nonexistent.csv", delimeter: ";" } as Loose),
    "CSVDataset has no option 'delimeter'. Did you mean 'delimiter'? Valid options: path, " +
      "target, features, header, delimiter, targetType, transform, targetTransform",
  );
  assertRejects(
    () => new datasets.ImageFolder({ root: "/nonexistent", extension: [".png"] } as Loose),
    "ImageFolder has no option 'extension'. Did you mean 'extensions'? " +
      "Valid options: root, mode, transform, targetTransform, extensions",
  );
  assert.equal(new datasets.Subset({ dataset: base(), indices: [3, 1] }).length, 2);
  const fold = new datasets.KFold({
    dataset: base(),
    k: 2,
    fold: 1,
    seed: 0,
    shuffle: false,
    train: false,
  });
  assert.deepEqual(Array.from(fold.indices), [2, 3]);
  const [a, b] = datasets.randomSplit({ dataset: base(), lengths: [3, 1], seed: 1 });
  assert.deepEqual([a.length, b.length], [3, 1]);
});

Deno.test("CSVDataset and ImageFolder build from their documented options", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lumen_options_" });
  try {
    await Deno.writeTextFile(`${dir}/rows.csv`, "a;b;y\n1;2;0\n3;4;1\n");
    const csv = new datasets.CSVDataset({
      path: `${dir}/rows.csv`,
      target: "y",
      features: ["a", "b"],
      header: true,
      delimiter: ";",
      targetType: "class",
    });
    assert.deepEqual(csv.getItem(1), [data.hostArray(Float32Array.from([3, 4]), [2]), 1]);
    await Deno.mkdir(`${dir}/imgs/cat`, { recursive: true });
    await Deno.writeFile(
      `${dir}/imgs/cat/a.PNG`,
      encodePng({ width: 1, height: 1, data: new Uint8Array([10, 20, 30]), channels: 3 }),
    );
    const folder = new datasets.ImageFolder({
      root: `${dir}/imgs`,
      mode: "grey",
      extensions: [".png"],
    });
    assert.deepEqual(folder.classes, ["cat"]);
    assert.equal(folder.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("transforms reject unknown options; the factories too", () => {
  assertRejects(
    () => new T.Normalize({ mean: 0.5, sdt: 0.5 } as Loose),
    "Normalize has no option 'sdt'. Did you mean 'std'? Valid options: mean, std",
  );
  assertRejects(
    () => T.normalize({ mean: 0.5, std: 0.5, inplace: true } as Loose),
    "Normalize has no option 'inplace'. Valid options: mean, std",
  );
  assertRejects(
    () => new T.RandomCrop({ size: 4, pad: 1 } as Loose),
    "RandomCrop has no option 'pad'. Did you mean 'padding'? Valid options: size, padding, fill",
  );
  assertRejects(
    () => new T.CenterCrop({ sizes: 4 } as Loose),
    "CenterCrop has no option 'sizes'. Did you mean 'size'? Valid options: size",
  );
  assertRejects(
    () => new T.Resize({ size: 4, interpolation: "nearest" } as Loose),
    "Resize has no option 'interpolation'. Valid options: size",
  );
  assertRejects(
    () => new T.RandomHorizontalFlip({ prob: 1 } as Loose),
    "RandomHorizontalFlip has no option 'prob'. Did you mean 'p'? Valid options: p",
  );
  assertRejects(
    () => new T.Compose({ transform: [] } as Loose),
    "Compose has no option 'transform'. Did you mean 'transforms'? Valid options: transforms",
  );
  assertRejects(
    () => new T.ToTensor({ scale: true } as Loose),
    "ToTensor has no option 'scale': it takes no options",
  );
  assertRejects(
    () => T.toTensor({ scale: true } as Loose),
    "ToTensor has no option 'scale': it takes no options",
  );
  const x = data.hostArray(Float32Array.from({ length: 9 }, (_, i) => i), [1, 3, 3]);
  const pipeline = new T.Compose({
    transforms: [
      new T.ToTensor({}),
      new T.CenterCrop({ size: 1 }),
      new T.Normalize({ mean: 4, std: 2 }),
    ],
  });
  // The centre pixel 4, normalised: (4 - 4) / 2 = 0.
  assert.deepEqual(pipeline.apply(x), data.hostArray(Float32Array.from([0]), [1, 1, 1]));
  assert.deepEqual(new T.RandomCrop({ size: 2, padding: 1, fill: 0 }).size, [2, 2]);
  assert.equal(new T.RandomHorizontalFlip({ p: 0.25 }).p, 0.25);
  assert.equal(new T.Resize({ size: 2 }).size, 2);
});

Deno.test("schedulers already reject unknown options, naming the class and the key", () => {
  const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
  assert.throws(
    () => new optim.CosineAnnealingLR(opt, { tMax: 10, etaMn: 0 } as Loose),
    /^TypeError: CosineAnnealingLR has no option 'etaMn'/,
  );
  assert.throws(
    () => new optim.ReduceLROnPlateau({ optimizer: opt, patiance: 2 } as Loose),
    /^TypeError: ReduceLROnPlateau has no option 'patiance'/,
  );
  assert.equal(new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 }).getLastLr()[0], 0.1);
});
