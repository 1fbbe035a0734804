/** Helpers of the data tests: small IDX files written by the tests themselves. */

/** An IDX file of unsigned bytes with the given dims and data. */
export function idxBytes(
  shape: number[],
  data: Uint8Array,
  magic = 0x00000800 | shape.length,
): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, magic);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** Gzips bytes with the web-standard stream. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(s).arrayBuffer());
}

/** Images whose pixel p of image i is (i * 7 + p) % 256, and labels i % 10. */
export function fakeMnist(
  count: number,
  rows = 4,
  cols = 3,
): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * rows * cols);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < rows * cols; p++) images[i * rows * cols + p] = (i * 7 + p) % 256;
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels };
}

/** Writes a fake MNIST split into a new temp folder; returns the folder. */
export async function writeMnist(
  count: number,
  options: { gz?: boolean; train?: boolean; rows?: number; cols?: number } = {},
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lumen_mnist_" });
  const rows = options.rows ?? 4, cols = options.cols ?? 3;
  const { images, labels } = fakeMnist(count, rows, cols);
  const prefix = options.train === false ? "t10k" : "train";
  const files: [string, Uint8Array][] = [
    [`${prefix}-images-idx3-ubyte`, idxBytes([count, rows, cols], images)],
    [`${prefix}-labels-idx1-ubyte`, idxBytes([count], labels)],
  ];
  for (const [name, bytes] of files) {
    if (options.gz) await Deno.writeFile(`${dir}/${name}.gz`, await gzip(bytes));
    else await Deno.writeFile(`${dir}/${name}`, bytes);
  }
  return dir;
}
