import assert from "node:assert/strict";
import { data, datasets } from "../../mod.ts";
import { encodePng, jpegJs } from "../../src/deps.ts";

async function makeFolder(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "lumen_imgs_" });
  await Deno.mkdir(`${root}/cat`);
  await Deno.mkdir(`${root}/dog`);
  // A 2x3 RGB PNG with known pixels.
  const rgb = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10);
  await Deno.writeFile(
    `${root}/cat/a.png`,
    encodePng({ width: 3, height: 2, data: rgb, channels: 3 }),
  );
  // A flat grey 8x8 JPEG (lossy, but a flat image survives exactly or nearly).
  const rgba = new Uint8Array(8 * 8 * 4).fill(128);
  await Deno.writeFile(
    `${root}/dog/b.jpg`,
    jpegJs.encode({ width: 8, height: 8, data: rgba }, 95).data,
  );
  await Deno.writeTextFile(`${root}/dog/notes.txt`, "not an image");
  return root;
}

Deno.test("ImageFolder: classes from folders, PNG and JPEG decoded to [H, W, 3]", async () => {
  const root = await makeFolder();
  const ds = new datasets.ImageFolder({ root });
  assert.deepEqual(ds.classes, ["cat", "dog"]);
  assert.equal(ds.length, 2);
  const [png, y0] = ds.getItem(0) as [data.HostArray, number];
  assert.deepEqual(png.shape, [2, 3, 3]);
  assert.deepEqual(Array.from(png.data), Array.from({ length: 18 }, (_, i) => i * 10));
  assert.equal(y0, 0);
  const [jpg, y1] = ds.getItem(1) as [data.HostArray, number];
  assert.deepEqual(jpg.shape, [8, 8, 3]);
  assert(jpg.data.every((v) => Math.abs(v - 128) <= 2), "flat grey JPEG decodes to ~128");
  assert.equal(y1, 1);
  const grey = new datasets.ImageFolder({
    root,
    mode: "grey",
    transform: data.transforms.toTensor(),
  });
  const [g] = grey.getItem(0) as [data.HostArray, number];
  assert.deepEqual(g.shape, [1, 2, 3]);
  assert.equal(g.data[0], Math.fround(Math.round((0 * 299 + 10 * 587 + 20 * 114) / 1000) / 255));
  await Deno.remove(root, { recursive: true });
});

Deno.test("ImageFolder: an unreadable image names the file", async () => {
  const root = await makeFolder();
  await Deno.writeFile(`${root}/cat/broken.png`, new Uint8Array([1, 2, 3, 4, 5]));
  const truncated = (await Deno.readFile(`${root}/cat/a.png`)).subarray(0, 30);
  await Deno.writeFile(`${root}/cat/c.png`, truncated);
  const ds = new datasets.ImageFolder({ root });
  assert.throws(() => ds.getItem(1), (e: Error) => {
    assert(e instanceof data.DataFormatError);
    assert.equal(
      e.message,
      `${root}/cat/broken.png at byte 0: unreadable image: neither a PNG nor a JPEG signature (first bytes: 01 02 03 04)`,
    );
    return true;
  });
  assert.throws(
    () => ds.getItem(2),
    new RegExp(`DataFormatError: ${root}/cat/c.png: unreadable PNG image \\(`),
  );
  await Deno.remove(root, { recursive: true });
});
