import assert from "node:assert/strict";
import { data, type Tensor } from "../../mod.ts";
import { applyOnDevice } from "../../src/data/transforms/batched.ts";
import { RandomStream, withStream } from "../../src/data/random.ts";
import { assertClose } from "../_helpers.ts";

const T = data.transforms;
const img = (values: number[], shape: number[], u8 = false) =>
  data.hostArray(u8 ? Uint8Array.from(values) : Float32Array.from(values), shape);

Deno.test("ToTensor turns uint8 [H, W, C] into float32 [C, H, W] / 255", () => {
  const x = T.toTensor().apply(img([0, 255, 51, 102, 153, 204], [1, 2, 3], true));
  assert.deepEqual(x.shape, [3, 1, 2]);
  assert.deepEqual(
    Array.from(x.data),
    [0, 102 / 255, 1, 153 / 255, 51 / 255, 204 / 255].map(Math.fround),
  );
});

Deno.test("Normalize applies per-channel mean and std; checks channel count", () => {
  const n = new T.Normalize({ mean: [1, 2], std: [2, 4] });
  const x = n.apply(img([3, 5, 6, 10], [2, 1, 2]));
  assert.deepEqual(Array.from(x.data), [1, 2, 1, 2]);
  assert.throws(
    () => n.apply(img([1, 2, 3], [3, 1, 1])),
    /Normalize has 2 means but the image has 3 channels/,
  );
  assert.throws(() => new T.Normalize({ mean: [0], std: [0] }), /std must not contain 0/);
});

Deno.test("RandomCrop with padding is seeded and pads with fill", () => {
  const crop = new T.RandomCrop({ size: 3, padding: 1, fill: -1 });
  const x = img(Array.from({ length: 9 }, (_, i) => i + 1), [1, 3, 3]);
  const a = withStream(new RandomStream(5), () => crop.apply(x));
  const b = withStream(new RandomStream(5), () => crop.apply(x));
  assert.deepEqual(a, b);
  const r = new RandomStream(5);
  const top = r.int(3) - 1, left = r.int(3) - 1;
  const expected: number[] = [];
  for (let y = 0; y < 3; y++) {
    for (let xx = 0; xx < 3; xx++) {
      const sy = y + top, sx = xx + left;
      expected.push(sy < 0 || sy > 2 || sx < 0 || sx > 2 ? -1 : sy * 3 + sx + 1);
    }
  }
  assert.deepEqual(Array.from(a.data), expected);
  assert.throws(() => new T.RandomCrop({ size: 5 }).apply(x), /does not fit an image of \[3, 3\]/);
});

Deno.test("RandomHorizontalFlip flips with p; CenterCrop and Resize sizes", () => {
  assert.deepEqual(
    Array.from(T.randomHorizontalFlip({ p: 1 }).apply(img([1, 2, 3, 4], [1, 2, 2])).data),
    [2, 1, 4, 3],
  );
  assert.deepEqual(
    Array.from(T.randomHorizontalFlip({ p: 0 }).apply(img([1, 2], [1, 1, 2])).data),
    [1, 2],
  );
  const hwc = T.randomHorizontalFlip({ p: 1 }).apply(img([1, 2, 3, 4, 5, 6], [1, 3, 2], true));
  assert.deepEqual(Array.from(hwc.data), [5, 6, 3, 4, 1, 2]);
  const c = T.centerCrop({ size: [2, 2] }).apply(
    img(Array.from({ length: 16 }, (_, i) => i), [4, 4]),
  );
  assert.deepEqual(Array.from(c.data), [5, 6, 9, 10]);
  const r = T.resize({ size: [2, 2] }).apply(
    img([0, 0, 4, 4, 0, 0, 4, 4, 8, 8, 12, 12, 8, 8, 12, 12], [1, 4, 4]),
  );
  assert.deepEqual(Array.from(r.data), [0, 4, 8, 12]);
  assert.deepEqual(
    T.resize({ size: 4 }).apply(img(new Array(8 * 16).fill(1), [8, 16], true)).shape,
    [4, 8],
  );
  assert.deepEqual(Array.from(T.resize({ size: [1, 3] }).apply(img([10, 20], [1, 2])).data), [
    10,
    15,
    20,
  ]);
});

Deno.test("compose chains; worker specs describe every transform", () => {
  const t = T.compose({ transforms: [T.toTensor(), T.normalize({ mean: 0.5, std: 0.5 })] });
  assert.deepEqual(Array.from((t.apply(img([0, 255], [1, 2], true)) as data.HostArray).data), [
    -1,
    1,
  ]);
  assert.deepEqual(t.workerSpec(), {
    $kind: "Compose",
    options: {
      transforms: [{ $kind: "ToTensor", options: {} }, {
        $kind: "Normalize",
        options: { mean: [0.5], std: [0.5] },
      }],
    },
  });
  assert.throws(
    () => new T.Compose({ transforms: [42 as unknown as data.transforms.Transform] }),
    /transforms\[0\] is not a transform/,
  );
});

Deno.test("batched device transforms equal the per-sample host ones", async () => {
  const B = 5, H = 6, W = 7, C = 3;
  const u8 = Uint8Array.from({ length: B * H * W * C }, (_, i) => (i * 37) % 256);
  const pipeline = T.compose({
    transforms: [
      T.randomCrop({ size: [5, 4], padding: 2, fill: 9 }),
      T.randomHorizontalFlip(),
      T.toTensor(),
      T.centerCrop({ size: [3, 3] }),
      T.normalize({ mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2] }),
    ],
  });
  const expected: number[] = [];
  for (let b = 0; b < B; b++) {
    const sample = data.hostArray(u8.slice(b * H * W * C, (b + 1) * H * W * C), [H, W, C]);
    const out = withStream(new RandomStream(11, b), () => pipeline.apply(sample)) as data.HostArray;
    expected.push(...out.data);
  }
  const { uploadBytes } = await import("../../src/data/upload.ts");
  const x = uploadBytes(u8, [B, H, W, C]);
  const streams = Array.from({ length: B }, (_, b) => new RandomStream(11, b));
  const out = applyOnDevice(pipeline, { tensor: x, channelsLast: true }, streams).tensor as Tensor;
  assert.deepEqual(out.shape, [B, C, 3, 3]);
  await assertClose(out, expected, "batched pipeline", { rtol: 1e-5, atol: 1e-6 });
  assert.throws(
    () => applyOnDevice(T.resize({ size: 2 }), { tensor: out, channelsLast: false }, streams),
    /Resize has no device form/,
  );
});
