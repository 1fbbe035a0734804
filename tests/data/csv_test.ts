import assert from "node:assert/strict";
import { data, datasets } from "../../mod.ts";

async function csv(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("CSVDataset: header, chosen columns, integer class targets", async () => {
  const path = await csv("a,b,c,label\n1,2,3,0\n4,5,6,2\n");
  const ds = new datasets.CSVDataset({ path, target: "label", features: ["c", "a"] });
  assert.equal(ds.length, 2);
  assert.deepEqual(ds.featureColumns, ["c", "a"]);
  assert.deepEqual(ds.getItem(1), [{ data: new Float32Array([6, 4]), shape: [2] }, 2]);
  assert.throws(
    () => new datasets.CSVDataset({ path, target: "nope" }),
    /target column "nope" is not one of .*\[a, b, c, label\]/,
  );
});

Deno.test("CSVDataset: no header, quoted fields, float and named targets", async () => {
  const path = await csv('1.5,"2",0.25\r\n3,4,1.5\r\n\r\n');
  const ds = new datasets.CSVDataset({ path, header: false });
  assert.equal(ds.length, 2);
  assert.deepEqual(ds.getItem(0), [{ data: new Float32Array([1.5, 2]), shape: [2] }, {
    data: new Float32Array([0.25]),
    shape: [],
  }]);
  const named = new datasets.CSVDataset({
    path: await csv("x,kind\n1,dog\n2,cat\n3,dog\n"),
    target: 1,
  });
  assert.deepEqual(named.classes, ["cat", "dog"]);
  assert.deepEqual([0, 1, 2].map((i) => named.getItem(i)[1]), [1, 0, 1]);
});

Deno.test("CSVDataset: a bad number names file, line and column; ragged rows too", async () => {
  const path = await csv("a,b,y\n1,2,0\n3,x7,1\n");
  assert.throws(() => new datasets.CSVDataset({ path }), (e: Error) => {
    assert(e instanceof data.DataFormatError);
    assert.equal(e.message, `${path} at line 3, column 2: "x7" in column 'b' is not a number`);
    return true;
  });
  const ragged = await csv("a,b,y\n1,2,0\n3,1\n");
  assert.throws(
    () => new datasets.CSVDataset({ path: ragged }),
    /at line 3: expected 3 fields like the first row, got 2/,
  );
});
