import assert from "node:assert/strict";
import { adapters, callbacks, datasets, load, type StepOutput, tensor } from "../../../mod.ts";
import { decodePng } from "../../../src/deps.ts";
import { getDevice } from "../../../src/device/default_device.ts";
import {
  quietTrainer,
  rejectsWith,
  throwsWith,
  tinySystem,
  type TrainerFixture,
} from "../_tiny.ts";
import { loadFixtures } from "../../_helpers.ts";
import { FakeTrainer, listFiles, SYSTEM } from "./_fake_trainer.ts";

const { FileWriter, TableWriter } = callbacks;

function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "lumen-writers-" });
}

/** A path in a fresh temporary folder that does not exist yet (so setup does not warn). */
function freshPath(name = "out"): string {
  return `${tempDir()}/${name}`;
}

/** A predict stage run by hand: setup, one onPredictBatchEnd per batch, epoch end, teardown. */
async function predictBatches(
  writer: callbacks.Callback,
  batches: { pred: unknown; identifier?: unknown }[],
): Promise<void> {
  const trainer = new FakeTrainer([writer], { root: tempDir() });
  await trainer.setup("predict");
  try {
    for (const [i, b] of batches.entries()) {
      const outputs = { identifier: b.identifier ?? null, pred: b.pred } as StepOutput;
      await writer.onPredictBatchEnd(trainer, SYSTEM, outputs, undefined, i);
    }
    await writer.onPredictEpochEnd(trainer, SYSTEM);
  } finally {
    await writer.teardown(trainer, SYSTEM, "predict");
  }
}

/** Counts the device readbacks made while `fn` runs. */
async function countReads(fn: () => Promise<unknown>): Promise<number> {
  const device = getDevice();
  const read = device.read;
  let n = 0;
  device.read = (buffer, bytes) => {
    n++;
    return read.call(device, buffer, bytes);
  };
  try {
    await fn();
  } finally {
    device.read = read;
  }
  return n;
}

/** Runs `fn` with console.warn captured; returns the warnings. */
async function warnings(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => seen.push(args.join(" "));
  try {
    await fn();
  } finally {
    console.warn = warn;
  }
  return seen;
}

/** The tiny system with the fixture's first initial weights, and its logits computed on the host. */
async function fixtureSystem() {
  const f = await loadFixtures<TrainerFixture>("trainer");
  const c = f.cases[0];
  const system = await tinySystem({ weights: { weight: c.weight0, bias: c.bias0 } });
  // The predict loader's 16 rows: logits = x W^T + b, in float64 on the host.
  const logits = Array.from({ length: 16 }, (_, r) =>
    Array.from({ length: 3 }, (_, k) => {
      let s = c.bias0.data[k];
      for (let j = 0; j < 4; j++) s += f.x.data[r * 4 + j] * c.weight0.data[k * 4 + j];
      return s;
    }));
  return { system, logits };
}

function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    assert(
      Math.abs(actual[i] - expected[i]) <= 1e-5,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

Deno.test("FileWriter 'tensor' through Trainer.predict: one safetensors file per sample, one readback per batch, predictions cleared", async () => {
  const { system, logits } = await fixtureSystem();
  const path = `${tempDir()}/preds`;
  const trainer = quietTrainer({ callbacks: [new FileWriter({ path, writer: "tensor" })] });
  const plain = quietTrainer();
  // The same predict without a writer reads nothing back; the writer adds one read per batch.
  const baseline = await countReads(() => plain.predict(system, { returnPredictions: false }));
  let returned: unknown;
  const reads = await countReads(async () => {
    returned = await trainer.predict(system);
  });
  assert.equal(reads - baseline, 2, "2 batches of 8: one readback each");
  assert.deepEqual(returned, [], "the writer clears the kept predictions, as Lighter does");
  const files = await listFiles(path);
  assert.deepEqual(files, Array.from({ length: 16 }, (_, i) => `${i}.safetensors`).sort());
  for (let i = 0; i < 16; i++) {
    const { tensors } = await load(`${path}/${i}.safetensors`);
    assert.deepEqual(Object.keys(tensors), ["pred"]);
    assert.deepEqual(tensors.pred.shape, [3]);
    assertNear(await tensors.pred.data(), logits[i], `sample ${i}`);
  }
});

Deno.test("TableWriter through Trainer.predict: identifiers from the batch adapter, rows sorted", async () => {
  const { system, logits } = await fixtureSystem();
  // Identifiers given in descending order, so that sorting shows: batch 0 is s15..s08.
  let next = 15;
  system.adapters.predict.batch = new adapters.BatchAdapter({
    inputAccessor: 0,
    identifierAccessor: () =>
      Array.from({ length: 8 }, () => `s${String(next--).padStart(2, "0")}`),
  });
  const path = `${tempDir()}/out/preds.csv`;
  const writer = new TableWriter({ path, writer: "tensor" });
  const returned = await quietTrainer({ callbacks: [writer] }).predict(system);
  assert.deepEqual(returned, []);
  assert.deepEqual(writer.records, [], "records are cleared once written");
  const lines = (await Deno.readTextFile(path)).split("\n");
  assert.equal(lines[0], "identifier,pred");
  assert.equal(lines.at(-1), "", "the file ends with a line end");
  const rows = lines.slice(1, -1);
  assert.equal(rows.length, 16);
  rows.forEach((row, i) => {
    // Sorted: s00 first. Sample s00 is the last row of the data (ids counted down from 15).
    const m = /^s(\d\d),"(\[.*\])"$/.exec(row);
    assert(m, row);
    assert.equal(Number(m[1]), i);
    assertNear(JSON.parse(m[2]), logits[15 - i], `row s${m[1]}`);
  });
});

Deno.test("FileWriter 'image': PNGs of [C, H, W] and [H, W] predictions, [0, 1] scaled to 0-255", async () => {
  const path = freshPath();
  // Two RGB images 2x2: channel planes, values clamped to [0, 1] then round(v * 255).
  const rgb = tensor(
    [
      [[[0, 0.5], [1, 0.25]], [[1.2, -0.3], [0.75, 0.1]], [[0.2, 0.4], [0.6, 0.8]]],
      [[[1, 1], [1, 1]], [[0, 0], [0, 0]], [[0.5, 0.5], [0.5, 0.5]]],
    ],
  );
  const grey = tensor([[[0, 1, 0.5]], [[0.25, 0.75, 1]]]); // two [1, 3] images
  const ints = tensor([[[0, 128], [300, -5]]], { dtype: "int32" }); // one [2, 2] int image
  const writer = new FileWriter({ path, writer: "image" });
  await predictBatches(writer, [
    { pred: rgb, identifier: ["rgb_a", "rgb_b"] },
    { pred: grey, identifier: ["grey_a", "grey_b"] },
    { pred: ints, identifier: ["ints"] },
  ]);
  assert.deepEqual(await listFiles(path), [
    "grey_a.png",
    "grey_b.png",
    "ints.png",
    "rgb_a.png",
    "rgb_b.png",
  ]);
  const png = async (name: string) => decodePng(await Deno.readFile(`${path}/${name}.png`));
  const a = await png("rgb_a");
  assert.deepEqual([a.width, a.height, a.channels, a.depth], [2, 2, 3, 8]);
  // Pixels row-major, RGB interleaved: (0, 1.2->1, 0.2), (0.5, -0.3->0, 0.4), ...
  assert.deepEqual(Array.from(a.data), [0, 255, 51, 128, 0, 102, 255, 191, 153, 64, 26, 204]);
  assert.deepEqual(Array.from((await png("rgb_b")).data), [
    255,
    0,
    128,
    255,
    0,
    128,
    255,
    0,
    128,
    255,
    0,
    128,
  ]);
  const g = await png("grey_b");
  assert.deepEqual([g.width, g.height, g.channels], [3, 1, 1]);
  assert.deepEqual(Array.from(g.data), [64, 191, 255]);
  assert.deepEqual(Array.from((await png("ints")).data), [0, 128, 255, 0]);
});

Deno.test("FileWriter: an identifier tensor is read with the predictions in one readback", async () => {
  const path = freshPath();
  const pred = tensor([[1, 2], [3, 4], [5, 6]]);
  const ids = tensor([7, 3, 5], { dtype: "int32" });
  const reads = await countReads(() =>
    predictBatches(new FileWriter({ path, writer: "tensor" }), [{ pred, identifier: ids }])
  );
  assert.equal(reads, 1);
  assert.deepEqual(await listFiles(path), ["3.safetensors", "5.safetensors", "7.safetensors"]);
  const { tensors } = await load(`${path}/3.safetensors`);
  assert.deepEqual(Array.from(await tensors.pred.data()), [3, 4]);
});

Deno.test("Writers: generated identifiers count on across batches; a list of tensors is a batch too", async () => {
  const writer = new TableWriter({ path: `${tempDir()}/t.csv`, writer: "tensor" });
  const seen: (string | number)[] = [];
  const write = writer.write.bind(writer);
  writer.write = (sample, identifier) => {
    seen.push(identifier);
    write(sample, identifier);
  };
  await predictBatches(writer, [
    { pred: tensor([[1, 2], [3, 4], [5, 6], [7, 8]]) },
    { pred: [tensor([1, 2]), tensor([3, 4]), tensor([5, 6]), tensor([7, 8])] },
    { pred: tensor([[1, 2], [3, 4]]), identifier: [10, 11] },
    { pred: [tensor([[1, 2, 3]]), tensor([[4, 5, 6]])] },
  ]);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 8, 9]);
  const text = await Deno.readTextFile(writer.path);
  assert.equal(
    text,
    "identifier,pred\n" +
      '0,"[1,2]"\n1,"[3,4]"\n2,"[5,6]"\n3,"[7,8]"\n4,"[1,2]"\n5,"[3,4]"\n6,"[5,6]"\n7,"[7,8]"\n' +
      '8,"[[1,2,3]]"\n9,"[[4,5,6]]"\n10,"[1,2]"\n11,"[3,4]"\n',
  );
});

Deno.test("TableWriter: one-element preds are numbers, lists are JSON; numeric ids sort as numbers; mixed ids keep their order", async () => {
  const path = `${tempDir()}/t.csv`;
  await predictBatches(new TableWriter({ path, writer: "tensor" }), [
    { pred: tensor([[0.5], [-2], [1e-7]]), identifier: [10, 9, 100] },
    { pred: tensor([3, 4], { dtype: "int32" }).reshape(2, 1), identifier: [1.5, -1] },
  ]);
  assert.equal(
    await Deno.readTextFile(path),
    "identifier,pred\n-1,4\n1.5,3\n9,-2\n10,0.5\n100,1.0000000116860974e-7\n",
  );
  const custom = new TableWriter({
    path: freshPath("t.csv"),
    writer: (t) => ({ sum: Array.from(t.data).reduce((a, b) => a + b) }),
  });
  await predictBatches(custom, [{ pred: tensor([[1, 2], [3, 4]]), identifier: ["b", 1] }]);
  // Mixed string and number ids cannot be sorted (pandas raises TypeError and Lighter skips it).
  assert.equal(
    await Deno.readTextFile(custom.path),
    'identifier,pred\nb,"{""sum"":3}"\n1,"{""sum"":7}"\n',
  );
});

Deno.test("TableWriter: awkward identifiers (comma, quote, line break) round-trip through CSVDataset", async () => {
  const path = `${tempDir()}/awkward.csv`;
  const ids = ['say "hi"', "a,b", "line\nbreak", "plain"];
  await predictBatches(new TableWriter({ path, writer: "tensor" }), [
    { pred: tensor([[1], [2], [3], [4]]), identifier: ids },
  ]);
  // Quoted only where Python's csv module quotes (QUOTE_MINIMAL), sorted by identifier.
  assert.equal(
    await Deno.readTextFile(path),
    'identifier,pred\n"a,b",2\n"line\nbreak",3\nplain,4\n"say ""hi""",1\n',
  );
  const ds = new datasets.CSVDataset({ path, target: "identifier", features: ["pred"] });
  assert.equal(ds.length, 4);
  // String targets become classes (sorted names): the identifiers come back exactly.
  assert.deepEqual(ds.classes, [...ids].sort());
  const byId = new Map<string, number>();
  for (let i = 0; i < ds.length; i++) {
    const [x, y] = ds.getItem(i) as [{ data: Float32Array }, number];
    byId.set(ds.classes[y], x.data[0]);
  }
  assert.deepEqual(Object.fromEntries(byId), {
    'say "hi"': 1,
    "a,b": 2,
    "line\nbreak": 3,
    plain: 4,
  });
});

Deno.test("Writers are inactive outside the predict stage", async () => {
  const root = tempDir();
  const path = `${root}/never`;
  const writer = new FileWriter({ path, writer: "tensor" });
  const trainer = new FakeTrainer([writer], { root });
  for (const stage of ["fit", "validate", "test"] as const) {
    await trainer.setup(stage);
    const outputs = { identifier: null, pred: tensor([[1, 2]]) } as StepOutput;
    await writer.onPredictBatchEnd(trainer, SYSTEM, outputs, undefined, 0);
    await writer.onPredictEpochEnd(trainer, SYSTEM);
    await writer.teardown(trainer, SYSTEM, stage);
  }
  assert.deepEqual(await listFiles(root), [], "no folder made, nothing written");
  // A real fit with a writer callback writes nothing either.
  const system = await tinySystem({ trainBatches: 1, valBatches: 1 });
  await quietTrainer({ maxEpochs: 1, callbacks: [writer] }).fit(system);
  assert.deepEqual(await listFiles(root), []);
});

Deno.test("Writers: an existing path is a warning; a path of the wrong kind is an error", async () => {
  const root = tempDir();
  const seen = await warnings(() =>
    predictBatches(new FileWriter({ path: root, writer: "tensor" }), [{ pred: tensor([[1]]) }])
  );
  assert.deepEqual(seen, [`${root} already exists, existing predictions will be overwritten.`]);
  const fresh = `${root}/new/dir`;
  assert.deepEqual(
    await warnings(() =>
      predictBatches(new FileWriter({ path: fresh, writer: "tensor" }), [{ pred: tensor([[1]]) }])
    ),
    [],
  );
  assert.deepEqual(await listFiles(fresh), ["0.safetensors"]);
  const file = `${root}/0.safetensors`;
  await warnings(() =>
    rejectsWith(
      () => predictBatches(new FileWriter({ path: file, writer: "tensor" }), []),
      `FileWriter expects a directory path, got ${file}`,
    )
  );
  await warnings(() =>
    rejectsWith(
      () => predictBatches(new TableWriter({ path: root, writer: "tensor" }), []),
      `TableWriter expects a file path (e.g. predictions.csv), got the folder ${root}`,
    )
  );
});

Deno.test("Writers: option errors name the class, the option and what is available", () => {
  throwsWith(
    () => new FileWriter({ path: "p", writer: "video" }),
    "FileWriter option 'writer': Writer for format video does not exist. Available writers: " +
      "tensor, image, or a function",
  );
  throwsWith(
    () => new TableWriter({ path: "p.csv", writer: "image" }),
    "TableWriter option 'writer': Writer for format image does not exist. Available writers: " +
      "tensor, or a function",
  );
  throwsWith(
    () => new FileWriter({ path: "p", writer: "tensor", pth: "q" } as never),
    "FileWriter has no option 'pth'. Did you mean 'path'? Valid options: path, writer",
  );
  throwsWith(
    () => new TableWriter({ writer: "tensor" } as never),
    "TableWriter: option 'path' must be a non-empty string, got undefined",
  );
  throwsWith(
    () => new FileWriter({ path: "p", writer: 3 } as never),
    "FileWriter option 'writer' must be one of tensor, image or a function, got 3",
  );
});

Deno.test("Writers: count mismatch, bad preds, bad identifiers and image shapes are errors", async () => {
  const pred = tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
  await rejectsWith(
    () =>
      predictBatches(new FileWriter({ path: freshPath(), writer: "tensor" }), [
        { pred, identifier: [10, 11, 12] },
      ]),
    "The number of predictions (4) does not match the number of identifiers (3)",
  );
  await rejectsWith(
    () =>
      predictBatches(new TableWriter({ path: freshPath("t.csv"), writer: "tensor" }), [
        { pred: [tensor([1]), tensor([2])], identifier: [20] },
      ]),
    "The number of predictions (2) does not match the number of identifiers (1)",
  );
  await rejectsWith(
    () =>
      predictBatches(new FileWriter({ path: freshPath(), writer: "tensor" }), [{ pred: [1, 2] }]),
    "FileWriter: the step output's pred must be a Tensor [batch, ...] or an array of Tensors, " +
      "got an array of 2",
  );
  await rejectsWith(
    () =>
      predictBatches(new FileWriter({ path: freshPath(), writer: "tensor" }), [{
        pred: tensor(3),
      }]),
    "FileWriter: the step output's pred must have a batch dimension, got a 0-d Tensor",
  );
  await rejectsWith(
    () =>
      predictBatches(new FileWriter({ path: freshPath(), writer: "tensor" }), [
        { pred: tensor([[1], [2]]), identifier: ["ok", { id: 1 }] },
      ]),
    "FileWriter: identifier[1] must be a string or a number, got object",
  );
  await rejectsWith(
    () =>
      predictBatches(new FileWriter({ path: freshPath(), writer: "tensor" }), [
        { pred: tensor([[1]]), identifier: ["../escape"] },
      ]),
    'FileWriter: identifier "../escape" cannot name a file in',
  );
  await rejectsWith(
    () =>
      predictBatches(new FileWriter({ path: freshPath(), writer: "image" }), [
        { pred: tensor([[[[1, 2]], [[1, 2]]]]) }, // one [2, 1, 2] sample: C = 2
      ]),
    "FileWriter's 'image' writer needs a 2-D [H, W] or 3-D [C, H, W] prediction with C = 1, 3 " +
      "or 4 (no batch dimension), got shape [2,1,2]",
  );
  // A failing custom writer's error comes out of predict() (at the next batch or the epoch end).
  const system = await tinySystem();
  const failing = new FileWriter({
    path: freshPath(),
    writer: () => {
      throw new Error("disk full");
    },
  });
  await rejectsWith(() => quietTrainer({ callbacks: [failing] }).predict(system), "disk full");
});

Deno.test("FileWriter: a function writer gets <path>/<id> and the sample on the host", async () => {
  const path = freshPath();
  const calls: [string, number[], number[]][] = [];
  const writer = new FileWriter({
    path,
    writer: async (p: string, t) => {
      calls.push([p, [...t.shape], Array.from(t.data)]);
      await Deno.writeTextFile(`${p}.txt`, Array.from(t.data).join(" "));
    },
  });
  await predictBatches(writer, [{ pred: tensor([[[1, 2]], [[3, 4]]]), identifier: ["x", 5] }]);
  assert.deepEqual(calls, [[`${path}/x`, [1, 2], [1, 2]], [`${path}/5`, [1, 2], [3, 4]]]);
  assert.equal(await Deno.readTextFile(`${path}/5.txt`), "3 4");
});
