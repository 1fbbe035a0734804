import assert from "node:assert/strict";
import { Config, ConfigMergeError } from "../../src/config/mod.ts";
import { rejects, writeYaml } from "./helpers.ts";

async function compose(...texts: string[]): Promise<Config> {
  const files: Record<string, string> = {};
  texts.forEach((t, i) => (files[`f${i}.yaml`] = t));
  const paths = await writeYaml(files);
  return Config.load(Object.values(paths).join(","), [], { lumen: false });
}

Deno.test("merge: dicts merge deeply", async () => {
  const c = await compose("b: {x: 1, y: 2}\nkeep: 1\n", "b: {z: 3, y: 20}\n");
  assert.deepEqual(c.get(), { b: { x: 1, y: 20, z: 3 }, keep: 1 });
});

Deno.test("merge: lists extend (duplicates kept)", async () => {
  const c = await compose(
    "l: [logger, metrics]\nn: [[1, 2], [3, 4]]\ne: []\nf: [a]\n",
    "l: [cache, logger]\nn: [[5, 6]]\ne: [a, b]\nf: []\n",
  );
  assert.deepEqual(c.get("l"), ["logger", "metrics", "cache", "logger"]);
  assert.deepEqual(c.get("n"), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(c.get("e"), ["a", "b"]);
  assert.deepEqual(c.get("f"), ["a"]);
});

Deno.test("merge: scalars and type mismatches replace; new keys are inserted", async () => {
  const c = await compose("a: 1\nb: {x: 1}\nc: [1]\n", "a: 2\nb: [1]\nc: {k: v}\nd: new\n");
  assert.deepEqual(c.get(), { a: 2, b: [1], c: { k: "v" }, d: "new" });
});

Deno.test("merge: comma-joined string, array of paths and one path give the same result", async () => {
  const paths = await writeYaml({ "a.yaml": "t: {m: 100, d: 1}\n", "b.yaml": "t: {m: 1}\n" });
  const joined = await Config.load(`${paths["a.yaml"]},${paths["b.yaml"]}`, [], { lumen: false });
  const array = await Config.load([paths["a.yaml"], paths["b.yaml"]], [], { lumen: false });
  assert.deepEqual(joined.get(), { t: { m: 1, d: 1 } });
  assert.deepEqual(array.get(), joined.get());
});

Deno.test("merge: =key replaces wholesale", async () => {
  const c = await compose("b: {x: 1, y: 2}\nitems: [a, b]\n", "=b: {z: 3}\n=items: [x, y]\n");
  assert.deepEqual(c.get(), { b: { z: 3 }, items: ["x", "y"] });
});

Deno.test("merge: ~key: null deletes, and is a no-op on a missing key", async () => {
  const c = await compose("a: 1\nb: 2\nc: 3\n", "~b: null\n~c: ''\n~missing: null\n");
  assert.deepEqual(c.get(), { a: 1 });
});

Deno.test("merge: ~key: [indices] deletes list items, negatives from the end", async () => {
  const c = await compose(
    "l: [logger, metrics, cache, auth, debug]\nm: [a, b, c, d, e]\nn: [a, b, c, d, e]\no: [a, b, c]\n",
    "~l: [0, 2, 4]\n~m: [-1, -2]\n~n: [0, -1]\n~o: [1, 1, 1]\n",
  );
  assert.deepEqual(c.get("l"), ["metrics", "auth"]);
  assert.deepEqual(c.get("m"), ["a", "b", "c"]);
  assert.deepEqual(c.get("n"), ["b", "c", "d"]);
  assert.deepEqual(c.get("o"), ["a", "c"]);
});

Deno.test("merge: ~key: [keys] deletes dict keys", async () => {
  const c = await compose(
    "dataloaders: {train: 1, val: 2, test: 3}\n",
    "~dataloaders: [train, test]\n",
  );
  assert.deepEqual(c.get("dataloaders"), { val: 2 });
});

Deno.test("merge: operators work at any depth", async () => {
  const c = await compose(
    "model: {optimizer: {type: sgd, nested: {a: 1}}}\n",
    "model: {optimizer: {~type: null, nested: {b: 2}}}\n",
  );
  assert.deepEqual(c.get(), { model: { optimizer: { nested: { a: 1, b: 2 } } } });
});

Deno.test("merge: path keys in files expand path-wise", async () => {
  const c = await compose(
    "trainer: {max_epochs: 10, devices: 1}\nsystem: {model: {drop: 0.1, n: 1}, dl: {train: {batch_size: 32}}}\nl: [{p: 1}]\n",
    [
      "trainer::max_epochs: 3",
      "~system::model::drop: null",
      "system::dl::train::batch_size: 8",
      "=system::model::n: {k: 1}",
      "l::0::p: 2",
      "new::deep::key: x",
      "trainer:",
      "  fast::dev: true",
    ].join("\n"),
  );
  assert.deepEqual(c.get(), {
    trainer: { max_epochs: 3, devices: 1, fast: { dev: true } },
    system: { model: { n: { k: 1 } }, dl: { train: { batch_size: 8 } } },
    l: [{ p: 2 }],
    new: { deep: { key: "x" } },
  });
});

Deno.test("merge: a plain object source is processed like a file", async () => {
  const c = await Config.load({ a: { b: 1 }, "a::c": 2, "~a::b": null }, [], { lumen: false });
  assert.deepEqual(c.get(), { a: { c: 2 } });
});

Deno.test("merge error: ~key with a mapping, string, number or false", async () => {
  for (const bad of ["{x: 1}", "x", "42", "false"]) {
    await rejects(
      () => compose("b: [1]\n", `~b: ${bad}\n`),
      ConfigMergeError,
      "Remove operator '~b'",
      "null",
    );
  }
});

Deno.test("merge error: ~key: [] is empty", async () => {
  await rejects(() => compose("b: [1]\n", "~b: []\n"), ConfigMergeError, "cannot be empty");
});

Deno.test("merge error: index out of range", async () => {
  await rejects(
    () => compose("b: [1, 2, 3]\n", "~b: [5]\n"),
    ConfigMergeError,
    "index 5 out of range",
  );
  await rejects(
    () => compose("b: [1, 2, 3]\n", "~b: [-10]\n"),
    ConfigMergeError,
    "index -10 out of range",
  );
});

Deno.test("merge error: a non-integer index into a list", async () => {
  await rejects(() => compose("b: [1, 2, 3]\n", "~b: [a]\n"), ConfigMergeError, "integer index");
});

Deno.test("merge error: removing a missing key from a dict", async () => {
  await rejects(
    () => compose("model: {lr: 1}\n", "~model: [dropout]\n"),
    ConfigMergeError,
    "cannot remove non-existent key 'dropout' from 'model'",
  );
});

Deno.test("merge error: a list of indices on a scalar, or on a missing key", async () => {
  await rejects(
    () => compose("b: 3\n", "~b: [0]\n"),
    ConfigMergeError,
    "list or a mapping, got a number",
  );
  await rejects(() => compose("a: 1\n", "~b: [0]\n"), ConfigMergeError, "'b' does not exist");
});

Deno.test("merge error: a path key through a scalar names the file and line", async () => {
  const paths = await writeYaml({ "base.yaml": "a: 1\n", "over.yaml": "x: 1\na::b: 2\n" });
  await rejects(
    () => Config.load(`${paths["base.yaml"]},${paths["over.yaml"]}`, [], { lumen: false }),
    ConfigMergeError,
    /over\.yaml:2 @ a: Key 'a::b' walks through 'a', which holds a number/,
  );
});

Deno.test("merge error: operator errors start with file:LINE @ id", async () => {
  const paths = await writeYaml({ "base.yaml": "a: {l: [1]}\n", "over.yaml": "a:\n  ~l: []\n" });
  await rejects(
    () => Config.load([paths["base.yaml"], paths["over.yaml"]], [], { lumen: false }),
    ConfigMergeError,
    /over\.yaml:2 @ a::l: Remove operator '~l' cannot be empty/,
  );
});
