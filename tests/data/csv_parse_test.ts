import assert from "node:assert/strict";
import { data, datasets } from "../../mod.ts";

async function csv(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("CSVDataset parsing: quoted line breaks, \\r\\n / \\r line ends and a BOM keep line numbers right", async () => {
  // Row 1 spans lines 2-3 (a quoted line break in a class name); the bad number is on line 5.
  const path = await csv('\ufeffname,x,y\r\n"two\r\nlines",1,0\r3,2,1\n"ok",x9,1\n');
  assert.throws(
    () => new datasets.CSVDataset({ path, target: "y", features: ["x"] }),
    (e: Error) => {
      assert(e instanceof data.DataFormatError);
      assert.equal(e.message, `${path} at line 5, column 2: "x9" in column 'x' is not a number`);
      return true;
    },
  );
  const good = await csv('\ufeffname,x,y\r\n"two\r\nlines",1,0\r"a,""b""",2,1\n');
  const ds = new datasets.CSVDataset({ path: good, target: "name", features: ["x", "y"] });
  assert.deepEqual(ds.columns, ["name", "x", "y"], "the BOM is not part of the first name");
  assert.deepEqual(ds.classes, ['a,"b"', "two\r\nlines"]);
  assert.deepEqual(ds.getItem(0), [{ data: new Float32Array([1, 0]), shape: [2] }, 1]);
});

Deno.test("CSVDataset parsing: an empty line inside the data is a short row; an open quote is an error with its line", async () => {
  const blank = await csv("a,b,y\n1,2,0\n\n3,4,1\n\n\n");
  assert.throws(
    () => new datasets.CSVDataset({ path: blank }),
    /at line 3: expected 3 fields like the first row, got 0/,
  );
  const open = await csv('a,b,y\n1,2,0\n3,"4,1\n');
  assert.throws(() => new datasets.CSVDataset({ path: open }), (e: Error) => {
    assert(e instanceof data.DataFormatError);
    assert.match(e.message, /at line \d: Quote Not Closed/);
    return true;
  });
  // A quote inside an unquoted field is kept, as Python's csv module keeps it.
  const inner = await csv('a,label\n1,5"in\n2,x\n');
  const ds = new datasets.CSVDataset({ path: inner, target: "label" });
  assert.deepEqual(ds.classes, ['5"in', "x"]);
});

Deno.test("CSVDataset parsing: other delimiters; a bad delimiter names the option", async () => {
  const path = await csv("a\tb\ty\n1\t2\t0\n");
  const ds = new datasets.CSVDataset({ path, delimiter: "\t" });
  assert.deepEqual(ds.getItem(0), [{ data: new Float32Array([1, 2]), shape: [2] }, 0]);
  assert.throws(
    () => new datasets.CSVDataset({ path, delimiter: "" }),
    /CSVDataset: 'delimiter' must be a non-empty string without quotes or line breaks, got ""/,
  );
});
