import assert from "node:assert/strict";
import {
  Config,
  ConfigError,
  ConfigKeyError,
  OverrideError,
  parseOverride,
  typeOverrideValue,
} from "../../src/config/mod.ts";
import { rejects } from "./helpers.ts";

const base = {
  trainer: { max_epochs: 10, devices: 1, callbacks: [{ patience: 3 }, { monitor: "x" }] },
  system: { optimizer: { lr: 0.1 } },
  items: [10, 20, 30],
  vars: { image_size: 64 },
};

function load(overrides: string[]): Promise<Config> {
  return Config.load(structuredClone(base), overrides, { lumen: false });
}

Deno.test("override typing: YAML flow scalars", () => {
  const cases: [string, unknown][] = [
    ["100", 100],
    ["-1", -1],
    ["0x10", 16],
    ["0.001", 0.001],
    ["1e-3", 0.001],
    ["true", true],
    ["false", false],
    ["null", null],
    ["~", null],
    ["[0, 1]", [0, 1]],
    ["[0,1]", [0, 1]],
    ["[[64, 128], [256, 512]]", [[64, 128], [256, 512]]],
    ["{a: 1, b: x}", { a: 1, b: "x" }],
    ['"quoted"', "quoted"],
    ["'001'", "001"],
  ];
  for (const [text, want] of cases) assert.deepEqual(typeOverrideValue(text), want, text);
});

Deno.test("override typing: other text stays the string as written", () => {
  for (
    const s of [
      "best.ckpt",
      "16-mixed",
      "resnet50",
      "ResNet 50",
      "a: b",
      "#x",
      "x # y",
      "@vars::lr",
      "%vars::x",
      "$@a + 1",
      "my-model_v1.0",
      "1_000",
    ]
  ) {
    assert.equal(typeOverrideValue(s), s, s);
  }
  assert.equal(typeOverrideValue(""), "");
});

Deno.test("override parsing: split on the first '='", () => {
  assert.deepEqual(parseOverride("math::equation=x=y+1").value, "x=y+1");
  assert.deepEqual(parseOverride("system::model::config=key1=value1").key, "system::model::config");
  assert.deepEqual(parseOverride("a=").value, "");
  assert.deepEqual(parseOverride("trainer::max_epochs=5"), {
    key: "trainer::max_epochs",
    value: 5,
    text: "trainer::max_epochs=5",
  });
});

Deno.test("override parsing: no '=' is an error showing key::path=value", async () => {
  await rejects(
    () => parseOverride("invalid_override_no_equals"),
    OverrideError,
    "Invalid override",
    "key::path=value",
  );
  await rejects(() => parseOverride(""), OverrideError, "key::path=value");
  await rejects(() => parseOverride("=5"), OverrideError, "key::path=value");
  await rejects(() => load(["trainer::max_epochs"]), OverrideError, "'trainer::max_epochs'");
});

Deno.test("override parsing: the legacy --a#b#c=x form", () => {
  assert.equal(
    parseOverride("--args#fit#ckpt_path=x.ckpt", { legacy: true }).key,
    "args::fit::ckpt_path",
  );
});

Deno.test("overrides: applied in order, last wins", async () => {
  const c = await load([
    "trainer::max_epochs=5",
    "trainer::max_epochs=20",
    "system::optimizer::lr=0.001",
  ]);
  assert.equal(c.get("trainer::max_epochs"), 20);
  assert.equal(c.get("system::optimizer::lr"), 0.001);
});

Deno.test("overrides: set replaces lists and dicts instead of merging", async () => {
  const c = await load(["trainer::callbacks=[]", "system::optimizer={momentum: 0.9}"]);
  assert.deepEqual(c.get("trainer::callbacks"), []);
  assert.deepEqual(c.get("system::optimizer"), { momentum: 0.9 });
});

Deno.test("overrides: missing dicts are created", async () => {
  const c = await load(["model::nested::deep::value=42", "args::fit::ckpt_path=last.ckpt"]);
  assert.deepEqual(c.get("model"), { nested: { deep: { value: 42 } } });
  assert.equal(c.get("args::fit::ckpt_path"), "last.ckpt");
});

Deno.test("overrides: list indices index into the list", async () => {
  const c = await load(["trainer::callbacks::0::patience=10", "items::1=99", "items::3=40"]);
  assert.deepEqual(c.get("trainer::callbacks"), [{ patience: 10 }, { monitor: "x" }]);
  assert.deepEqual(c.get("items"), [10, 99, 30, 40]);
});

Deno.test("overrides: a bad list index or a path through a scalar is an error", async () => {
  await rejects(() => load(["items::7=1"]), OverrideError, "list of 3 items", "'7'");
  await rejects(() => load(["items::x=1"]), OverrideError, "'x' is not a valid index");
  await rejects(
    () => load(["vars::image_size::x=1"]),
    OverrideError,
    "'vars::image_size' holds a number",
  );
});

Deno.test("overrides: values reach resolution (vars::image_size=128)", async () => {
  const c = await Config.load(
    {
      vars: { image_size: 64 },
      model: { size: "@vars::image_size", area: "$@vars::image_size ** 2" },
    },
    ["vars::image_size=128"],
    { lumen: false },
  );
  assert.deepEqual(c.resolve("model"), { size: 128, area: 16384 });
});

Deno.test("config.set and config.override clear the resolution cache", async () => {
  const c = await Config.load(
    { batch_size: 32, num_batches: 100, total: "$@batch_size * @num_batches" },
    [],
    {
      lumen: false,
    },
  );
  assert.equal(c.resolve("total"), 3200);
  c.override(["batch_size=64"]);
  assert.equal(c.resolve("total"), 6400);
  c.set("num_batches", 1);
  assert.equal(c.resolve("total"), 64);
});

Deno.test("config.set: the root, new keys, and errors", async () => {
  const c = await load([]);
  c.set("", { a: 1 });
  assert.deepEqual(c.get(), { a: 1 });
  c.set("level1::level2", "v");
  assert.equal(c.get("level1::level2"), "v");
  await rejects(() => c.set("a::b", 1), ConfigError, "'a' holds a number");
  await rejects(() => c.set("", [1]), ConfigError, "root must be a mapping");
});

Deno.test("config.delete removes keys and list items", async () => {
  const c = await load([]);
  assert.equal(c.delete("items::0"), true);
  assert.deepEqual(c.get("items"), [20, 30]);
  assert.equal(c.delete("nope::x"), false);
  assert.equal(c.delete("trainer::devices"), true);
  assert.equal(c.has("trainer::devices"), false);
});

Deno.test("overrides: an error about an overridden value names the override", async () => {
  const c = await load(["system::optimizer::lr=@vars::lrr"]);
  await rejects(
    () => c.resolve("system::optimizer::lr"),
    ConfigKeyError,
    /^override 'system::optimizer::lr=@vars::lrr' @ system::optimizer::lr: Reference '@vars::lrr' not found/,
  );
});
