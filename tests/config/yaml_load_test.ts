import assert from "node:assert/strict";
import { Config, ConfigFileError, ConfigYamlError, parseConfigYaml } from "../../src/config/mod.ts";
import { fixture, rejects, writeYaml } from "./helpers.ts";

Deno.test("yaml: a file loads as a plain tree", async () => {
  const c = await Config.load(fixture("shared.yaml"));
  assert.deepEqual(c.get("optimizer"), { lr: 0.5, betas: [0.9, 0.99] });
  assert.equal(c.get("optimizer::betas::1"), 0.99);
  assert.deepEqual(c.sources, [fixture("shared.yaml")]);
});

Deno.test("yaml: an empty file loads as {}", async () => {
  assert.deepEqual((await Config.load(fixture("empty.yaml"))).get(), {});
  assert.deepEqual(parseConfigYaml(""), {});
});

Deno.test("yaml: .yml and upper-case extensions are accepted", async () => {
  const f = await writeYaml({ "a.yml": "x: 1\n", "b.YAML": "y: 2\n" });
  const c = await Config.load([f["a.yml"], f["b.YAML"]]);
  assert.deepEqual(c.get(), { x: 1, y: 2 });
});

Deno.test("yaml: a syntax error names the file and line", async () => {
  // Written at test time: a broken YAML file in the tree would break `deno fmt`.
  const f = await writeYaml({ "bad_syntax.yaml": "a: 1\nb: [1, 2\nc: 3\n" });
  const e = await rejects(
    () => Config.load(f["bad_syntax.yaml"]),
    ConfigYamlError,
    /bad_syntax\.yaml:\d+: YAML syntax error/,
  );
  assert.equal((e as ConfigYamlError).location?.file, f["bad_syntax.yaml"]);
});

Deno.test("yaml: duplicate keys are a syntax error with the line", async () => {
  await rejects(
    () => parseConfigYaml("a: 1\nb: 2\na: 3\n", "dup.yaml"),
    ConfigYamlError,
    /^dup\.yaml:3: .*unique/,
  );
});

Deno.test("yaml: the top level must be a mapping", async () => {
  await rejects(
    () => parseConfigYaml("- 1\n- 2\n", "list.yaml"),
    ConfigYamlError,
    "list.yaml:1",
    "mapping",
  );
});

Deno.test("yaml: a non-YAML file is rejected", async () => {
  await rejects(
    () => Config.load(fixture("not_yaml.json")),
    ConfigFileError,
    "not_yaml.json",
    ".yaml or .yml",
  );
});

Deno.test("yaml: a missing file is a clear error", async () => {
  await rejects(
    () => Config.load("nope/missing.yaml"),
    ConfigFileError,
    "'nope/missing.yaml' not found",
  );
});

Deno.test("yaml: an empty source list is an error", async () => {
  await rejects(() => Config.load(" , "), ConfigFileError, "No config file");
});

Deno.test("yaml: anchors and aliases give independent copies", () => {
  const tree = parseConfigYaml("a: &x {k: [1]}\nb: *x\n");
  assert.deepEqual(tree.b, { k: [1] });
  assert.notEqual(tree.a, tree.b);
});
