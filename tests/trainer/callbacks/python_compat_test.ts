import assert from "node:assert/strict";
import {
  pyFloatRepr,
  pyFormat,
  PyFormatError,
  pyFormatTemplate,
  pyJoin,
  pyStrRepr,
} from "../../../src/trainer/callbacks/python_compat.ts";

/** Written by gen_python_format.py with Python 3.11 (format(), repr(), os.path.join). */
interface PyFixture {
  repr: { value: number | string; repr: string }[];
  format: { value: number | string; int: boolean; spec: string; ok?: string; error?: string }[];
  join: { parts: string[]; joined: string }[];
}

const fixture: PyFixture = JSON.parse(
  await Deno.readTextFile(new URL("./python_format.json", import.meta.url)),
);

function decode(v: number | string): number {
  if (typeof v === "number") return v;
  return { inf: Infinity, "-inf": -Infinity, nan: NaN }[v] ?? Number(v);
}

Deno.test("pyFloatRepr matches Python's repr(float)", () => {
  for (const c of fixture.repr) assert.equal(pyFloatRepr(decode(c.value)), c.repr, `${c.value}`);
  assert.equal(pyFloatRepr(NaN), "nan");
  assert.equal(pyFloatRepr(-Infinity), "-inf");
});

Deno.test("pyFormat matches Python's format(value, spec) for floats and ints", () => {
  let checked = 0;
  for (const c of fixture.format) {
    const n = { value: decode(c.value), isInt: c.int };
    const what = `format(${c.value}${c.int ? "" : " (float)"}, '${c.spec}')`;
    if (c.error !== undefined) {
      assert.throws(() => pyFormat(n, c.spec), PyFormatError, what);
      // The messages that name a code are Python's own words.
      if (c.error.startsWith("Unknown format code") || c.error.startsWith("Precision")) {
        assert.throws(() => pyFormat(n, c.spec), { message: c.error }, what);
      }
    } else {
      assert.equal(pyFormat(n, c.spec), c.ok, what);
    }
    checked++;
  }
  assert.ok(checked > 1000);
});

Deno.test("pyJoin matches os.path.join", () => {
  for (const c of fixture.join) {
    assert.equal(pyJoin(c.parts[0], ...c.parts.slice(1)), c.joined, c.parts.join(" + "));
  }
});

Deno.test("pyStrRepr quotes like Python's repr(str)", () => {
  // Python: repr("val/loss"), repr("it's"), repr('a"b\'c'), repr("tab\t")
  assert.equal(pyStrRepr("val/loss"), "'val/loss'");
  assert.equal(pyStrRepr("it's"), `"it's"`);
  assert.equal(pyStrRepr(`a"b'c`), `'a"b\\'c'`);
  assert.equal(pyStrRepr("tab\t"), "'tab\\t'");
});

Deno.test("pyFormatTemplate: '{0[key]:spec}' fields, escaped braces, Python's errors", () => {
  const values: Record<string, number> = { "val/loss/epoch": 1.0807634592056274, epoch: 2 };
  const lookup = (k: string) => ({ value: values[k], isInt: k === "epoch" });
  // Python: "best-{0[epoch]:02d}-{0[val/loss/epoch]:.4f}".format(d) == "best-02-1.0808"
  assert.equal(
    pyFormatTemplate("best-{0[epoch]:02d}-{0[val/loss/epoch]:.4f}", lookup),
    "best-02-1.0808",
  );
  assert.equal(pyFormatTemplate("{{x}}-{0[epoch]}", lookup), "{x}-2");
  assert.throws(() => pyFormatTemplate("a}b", lookup), {
    message: "Single '}' encountered in format string",
  });
  assert.throws(() => pyFormatTemplate("a{0[epoch]", lookup), {
    message: "expected '}' before end of string",
  });
  assert.throws(() => pyFormatTemplate("{0[]}", lookup), {
    message: "Empty attribute in format string",
  });
});
