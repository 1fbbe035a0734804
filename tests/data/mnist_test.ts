import assert from "node:assert/strict";
import { data, datasets } from "../../mod.ts";
import { fakeMnist, gzip, idxBytes, writeMnist } from "./_files.ts";

const { DataFormatError } = data;

async function rejectsWith(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(() => p, (e: Error) => {
    assert(e instanceof DataFormatError, `expected a DataFormatError, got ${e}`);
    assert(
      pattern.test(e.message),
      `message ${JSON.stringify(e.message)} does not match ${pattern}`,
    );
    return true;
  });
}

Deno.test("MNIST reads plain IDX files: shapes, pixels and labels", async () => {
  const root = await writeMnist(13);
  const ds = new datasets.MNIST({ root });
  await ds.load();
  assert.deepEqual(ds.length, 13);
  const [x, y] = await ds.getItem(5) as [data.HostArray, number];
  assert.deepEqual(x.shape, [4, 3, 1]);
  assert.deepEqual(Array.from(x.data), Array.from({ length: 12 }, (_, p) => (5 * 7 + p) % 256));
  assert.deepEqual(y, 5);
  await Deno.remove(root, { recursive: true });
});

Deno.test("FashionMNIST reads gzipped test-split files and applies transforms", async () => {
  const root = await writeMnist(7, { gz: true, train: false });
  const ds = new datasets.FashionMNIST({
    root,
    train: false,
    transform: data.transforms.toTensor(),
    targetTransform: (y: unknown) => (y as number) + 100,
  });
  const [x, y] = await ds.getItem(6) as [data.HostArray, number];
  assert.deepEqual(x.shape, [1, 4, 3]);
  assert(x.data instanceof Float32Array);
  assert.equal(x.data[1], Math.fround(((6 * 7 + 1) % 256) / 255));
  assert.deepEqual(y, 106);
  assert.deepEqual(ds.classes[9], "Ankle boot");
  await Deno.remove(root, { recursive: true });
});

Deno.test("MNIST length before load names the fix; missing files without download throw", async () => {
  const ds = new datasets.MNIST({ root: "/nonexistent/lumen" });
  assert.throws(() => ds.length, /not loaded yet: await dataset.load\(\)/);
  await assert.rejects(
    () => ds.load(),
    /found neither train-images-idx3-ubyte nor .*download: true/,
  );
});

Deno.test("a truncated IDX file names the file and the offset where it ends", async () => {
  const root = await writeMnist(5);
  const file = `${root}/train-images-idx3-ubyte`;
  const bytes = await Deno.readFile(file);
  await Deno.writeFile(file, bytes.subarray(0, bytes.length - 10));
  await rejectsWith(
    new datasets.MNIST({ root }).load(),
    new RegExp(`^${file} at byte 66: truncated: dims \\[5,4,3\\] need 60 data bytes from byte 16`),
  );
  await Deno.writeFile(file, bytes.subarray(0, 9));
  await rejectsWith(
    new datasets.MNIST({ root }).load(),
    /at byte 9: truncated: the header needs 16 bytes/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("a wrong magic number names the file and offset 0", async () => {
  const root = await writeMnist(3);
  const { labels } = fakeMnist(3);
  const file = `${root}/train-labels-idx1-ubyte`;
  await Deno.writeFile(file, idxBytes([3], labels, 0x00000803));
  await rejectsWith(
    new datasets.MNIST({ root }).load(),
    new RegExp(`^${file} at byte 0: wrong magic number 0x00000803, expected 0x00000801`),
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("a label out of range names the file and its byte offset", async () => {
  const root = await writeMnist(4);
  const file = `${root}/train-labels-idx1-ubyte`;
  await Deno.writeFile(file, idxBytes([4], new Uint8Array([1, 2, 12, 3])));
  await rejectsWith(
    new datasets.MNIST({ root }).load(),
    new RegExp(`^${file} at byte 10: label 12 of sample 2 is out of range \\[0, 9\\]`),
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("a corrupt gzip stream names the file", async () => {
  const root = await writeMnist(4, { gz: true });
  const file = `${root}/train-images-idx3-ubyte.gz`;
  const bytes = await Deno.readFile(file);
  await Deno.writeFile(file, bytes.subarray(0, 20));
  await rejectsWith(new datasets.MNIST({ root }).load(), /gzip stream is corrupt or truncated/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("download fetches missing files from a local server and verifies SHA-256", async () => {
  const { images, labels } = fakeMnist(6);
  const files: Record<string, Uint8Array> = {
    "train-images-idx3-ubyte.gz": await gzip(idxBytes([6, 4, 3], images)),
    "train-labels-idx1-ubyte.gz": await gzip(idxBytes([6], labels)),
  };
  const sha = async (b: Uint8Array) =>
    Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", b as Uint8Array<ArrayBuffer>)),
      (x) => x.toString(16).padStart(2, "0"),
    ).join("");
  const checksums: Record<string, string> = {};
  for (const [k, v] of Object.entries(files)) checksums[k] = await sha(v);
  const ac = new AbortController();
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    (req) => {
      const name = new URL(req.url).pathname.slice(1);
      requests.push(name);
      const body = files[name];
      return body
        ? new Response(body as Uint8Array<ArrayBuffer>)
        : new Response("no", { status: 404 });
    },
  );
  const mirror = `http://127.0.0.1:${server.addr.port}/`;
  try {
    const root = `${await Deno.makeTempDir()}/nested/mnist`;
    const ds = new datasets.MNIST({ root, download: true, mirror, checksums, progress: false });
    await ds.load();
    assert.deepEqual(ds.length, 6);
    assert.deepEqual((await ds.getItem(3))[1], 3);
    assert.deepEqual(requests.sort(), Object.keys(files).sort());
    assert.deepEqual(
      await Deno.readFile(`${root}/train-labels-idx1-ubyte.gz`),
      files["train-labels-idx1-ubyte.gz"],
    );

    const bad = `${await Deno.makeTempDir()}/bad`;
    const wrong = { ...checksums, "train-images-idx3-ubyte.gz": "0".repeat(64) };
    await assert.rejects(
      () =>
        new datasets.MNIST({ root: bad, download: true, mirror, checksums: wrong, progress: false })
          .load(),
      /has SHA-256 [0-9a-f]{64}, expected 0{64}; the file was not kept/,
    );
    assert(!(await Deno.stat(`${bad}/train-images-idx3-ubyte.gz`).then(() => true, () => false)));
  } finally {
    ac.abort();
    await server.finished;
  }
});

Deno.test({
  name: "the real Fashion-MNIST test split loads (when installed)",
  ignore: !(await Deno.stat("/usr/share/datasets/fashion-mnist").then(() => true, () => false)),
  fn: async () => {
    const ds = new datasets.FashionMNIST({
      root: "/usr/share/datasets/fashion-mnist",
      train: false,
    });
    await ds.load();
    assert.deepEqual(ds.length, 10000);
    const [x, y] = await ds.getItem(0) as [data.HostArray, number];
    assert.deepEqual(x.shape, [28, 28, 1]);
    assert.deepEqual(y, 9); // the first test image is an ankle boot
  },
});
