import assert from "node:assert/strict";
import { tensor, zeros } from "../../mod.ts";
// Through src/io/mod.ts: the lead re-exports it from mod.ts.
import {
  decodeSafetensors,
  encodeSafetensors,
  load,
  SafetensorsError,
  save,
} from "../../src/io/mod.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url);
const PYTHON = "/usr/bin/python3";

async function hasTorch(): Promise<boolean> {
  try {
    const cmd = new Deno.Command(PYTHON, {
      args: ["-c", "import torch"],
      stdout: "null",
      stderr: "null",
    });
    return (await cmd.output()).success;
  } catch {
    return false;
  }
}
const torchAvailable = await hasTorch();

function headerOf(bytes: Uint8Array): { n: number; json: Record<string, unknown> } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { n, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) };
}

/** A file with a hand-written header and `data` bytes, for the corruption tests. */
function fileWith(header: string, data = new Uint8Array(0), lengthField?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(lengthField ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

Deno.test("save then load round-trips float32, int32, empty and scalar tensors with metadata", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.safetensors`;
  const w = tensor([[1.5, -2, 3.25], [1e-8, 3.4e38, -0]]);
  const ids = tensor(new Int32Array([7, -1, 2147483647]));
  await save(path, {
    "fc.weight": w,
    ids,
    empty: zeros([0, 3]),
    s: tensor(new Float32Array([9]), { shape: [] }),
  }, {
    epoch: "3",
  });
  const { tensors, metadata } = await load(path);
  assert.deepEqual(Object.keys(tensors), ["fc.weight", "ids", "empty", "s"]);
  assert.deepEqual(metadata, { epoch: "3" });
  assert.deepEqual(tensors["fc.weight"].shape, [2, 3]);
  assert.deepEqual(Array.from(await tensors["fc.weight"].data()), Array.from(await w.data()));
  assert.equal(tensors.ids.dtype, "int32");
  assert.deepEqual(Array.from(await tensors.ids.data()), [7, -1, 2147483647]);
  assert.deepEqual(tensors.empty.shape, [0, 3]);
  assert.deepEqual(tensors.s.shape, []);
  assert.equal(await tensors.s.item(), 9);
  // Layout: 8-aligned data start, contiguous offsets, nothing else left in the folder.
  const bytes = await Deno.readFile(path);
  const { n, json } = headerOf(bytes);
  assert.equal((8 + n) % 8, 0);
  assert.deepEqual(json["fc.weight"], { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] });
  assert.deepEqual(json.ids, { dtype: "I32", shape: [3], data_offsets: [24, 36] });
  assert.deepEqual(json.empty, { dtype: "F32", shape: [0, 3], data_offsets: [36, 36] });
  assert.deepEqual(json.s, { dtype: "F32", shape: [], data_offsets: [36, 40] });
  assert.equal(bytes.length, 8 + n + 40);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["model.safetensors"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("save replaces a file atomically and leaves the old one when writing fails", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/ckpt.safetensors`;
  await save(path, { a: tensor([1, 2]) });
  await save(path, { a: tensor([3, 4, 5]) });
  assert.deepEqual(Array.from(await (await load(path)).tensors.a.data()), [3, 4, 5]);
  const before = await Deno.readFile(path);
  await assert.rejects(
    () => save(path, { a: tensor([6]) }, { bad: 1 as unknown as string }),
    /metadata values must be strings; 'bad' is number/,
  );
  await assert.rejects(
    () => save(`${dir}/missing/x.safetensors`, { a: tensor([1]) }),
    Deno.errors.NotFound,
  );
  assert.deepEqual(await Deno.readFile(path), before);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["ckpt.safetensors"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loads the file written by PyTorch (tests/fixtures/from_python.safetensors)", async () => {
  const expected = JSON.parse(await Deno.readTextFile(new URL("from_python.json", FIXTURES)));
  const { tensors, metadata } = await load(new URL("from_python.safetensors", FIXTURES));
  assert.deepEqual(metadata, expected.metadata);
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected.tensors).sort());
  for (
    const [name, e] of Object.entries(expected.tensors) as [
      string,
      { dtype: string; shape: number[]; data: number[] },
    ][]
  ) {
    const t = tensors[name];
    assert.deepEqual(t.shape, e.shape, name);
    assert.equal(t.dtype, e.dtype === "F32" ? "float32" : "int32", name);
    const got = Array.from(await t.data());
    // Python prints float32 values widened to double: compare after rounding to float32.
    assert.deepEqual(got, e.data.map((v) => (e.dtype === "F32" ? Math.fround(v) : v)), name);
  }
  assert.equal(await tensors["bn.num_batches_tracked"].item(), 17); // I64 in the file
});

Deno.test({
  name:
    "PyTorch reads a file lumen wrote (safetensors_check.py verify; ignored without python3-torch)",
  ignore: !torchAvailable,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/lumen.safetensors`;
    const w = tensor([[0.1, -0.2, 0.3], [4, 5, 6e-7]]);
    await save(path, {
      "0.weight": w,
      "0.bias": tensor([1, 2]),
      steps: tensor(new Int32Array([-3, 12])),
    }, {
      framework: "lumen",
    });
    const out = await new Deno.Command(PYTHON, {
      args: [new URL("safetensors_check.py", FIXTURES).pathname, "verify", path],
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const seen = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.deepEqual(seen.metadata, { framework: "lumen" });
    assert.deepEqual(seen.tensors["0.weight"].shape, [2, 3]);
    assert.deepEqual(seen.tensors["0.weight"].data, Array.from(await w.data()));
    assert.deepEqual(seen.tensors["0.bias"], { dtype: "F32", shape: [2], data: [1, 2] });
    assert.deepEqual(seen.tensors.steps, { dtype: "I32", shape: [2], data: [-3, 12] });
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("corrupted and truncated files give errors naming the file and the fault", async () => {
  const f32 = new Uint8Array(new Float32Array([1, 2]).buffer);
  const cases: [string, Uint8Array, RegExp][] = [
    ["short", new Uint8Array([1, 2, 3]), /3 bytes, fewer than the 8-byte header length/],
    [
      "beyond",
      fileWith("{}", new Uint8Array(0), 4096),
      /header length 4096 goes beyond the file \(2 bytes/,
    ],
    ["json", fileWith('{"a": {"dtype": '), /header is not valid JSON/],
    ["array", fileWith("[1, 2]"), /header is not a JSON object/],
    [
      "dtype",
      fileWith('{"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}', f32),
      /tensor 'a' has unknown dtype 'Q7'/,
    ],
    [
      "range",
      fileWith('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', f32),
      /tensor 'a' has data_offsets \[0, 16\] out of range \(the data is 8 bytes\)/,
    ],
    [
      "size",
      fileWith('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', f32),
      /tensor 'a' has 8 bytes, but F32 shape \[3\] needs 12/,
    ],
    [
      "overlap",
      fileWith(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
        f32,
      ),
      /tensors 'a' \[0, 8\] and 'b' \[4, 8\] overlap/,
    ],
    [
      "shape",
      fileWith('{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', f32),
      /tensor 'a' has shape \[-2\], not a list of sizes/,
    ],
    ["meta", fileWith('{"__metadata__":{"n":1}}'), /__metadata__ value 'n' is not a string/],
  ];
  const dir = await Deno.makeTempDir();
  for (const [name, bytes, pattern] of cases) {
    const path = `${dir}/${name}.safetensors`;
    await Deno.writeFile(path, bytes);
    await assert.rejects(() => load(path), (e: Error) => {
      assert.ok(e instanceof SafetensorsError, name);
      assert.match(e.message, new RegExp(`^Safetensors file '${path}' is invalid: `), name);
      assert.match(e.message, pattern, name);
      return true;
    });
  }
  // A real file cut short: the header promises data that is not there.
  const good = encodeSafetensors({
    w: { shape: [4], dtype: "float32", data: new Float32Array(4) },
  });
  await Deno.writeFile(`${dir}/cut.safetensors`, good.subarray(0, good.length - 3));
  await assert.rejects(
    () => load(`${dir}/cut.safetensors`),
    /data_offsets \[0, 16\] out of range \(the data is 13 bytes\)/,
  );
  await Deno.writeFile(`${dir}/cut2.safetensors`, good.subarray(0, 20));
  await assert.rejects(
    () => load(`${dir}/cut2.safetensors`),
    /header length \d+ goes beyond the file \(12 bytes/,
  );
  await assert.rejects(
    () => load(`${dir}/nope.safetensors`),
    /Safetensors file '.*nope.safetensors' is invalid: the file does not exist/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("decode converts F64, F16, BF16, I64, U8 and BOOL to lumen's dtypes", () => {
  const parts: [string, number[], Uint8Array][] = [
    ["F64", [2], new Uint8Array(new Float64Array([0.5, -1e300]).buffer)],
    ["F16", [3], new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001]).buffer)],
    ["BF16", [2], new Uint8Array(new Uint16Array([0x3f80, 0xc049]).buffer)],
    ["I64", [2], new Uint8Array(new BigInt64Array([-5n, 2147483647n]).buffer)],
    ["U8", [2], new Uint8Array([0, 255])],
    ["BOOL", [2], new Uint8Array([1, 0])],
  ];
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [dtype, shape, bytes] of parts) {
    header[dtype] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
  }
  const data = new Uint8Array(offset);
  offset = 0;
  for (const [, , bytes] of parts) data.set(bytes, offset), offset += bytes.length;
  const { tensors } = decodeSafetensors(fileWith(JSON.stringify(header), data));
  assert.deepEqual(Array.from(tensors.F64.data), [0.5, -Infinity]);
  assert.deepEqual(Array.from(tensors.F16.data), [1, -2, 2 ** -24]);
  assert.deepEqual(Array.from(tensors.BF16.data), [1, Math.fround(-3.140625)]);
  assert.equal(tensors.I64.dtype, "int32");
  assert.deepEqual(Array.from(tensors.I64.data), [-5, 2147483647]);
  assert.deepEqual(Array.from(tensors.U8.data), [0, 255]);
  assert.deepEqual(Array.from(tensors.BOOL.data), [1, 0]);
  const big = fileWith(
    '{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}',
    new Uint8Array(new BigInt64Array([1n << 40n]).buffer),
  );
  assert.throws(
    () => decodeSafetensors(big, "big.st"),
    /'big.st' is invalid: an I64 value 1099511627776 does not fit lumen's int32/,
  );
});
