import assert from "node:assert/strict";
import {
  CircularReferenceError,
  Config,
  ConfigFileError,
  ConfigKeyError,
  ConfigReferenceError,
  EvaluationError,
} from "../../src/config/mod.ts";
import { fixture, rejects, writeYaml } from "./helpers.ts";

const load = (obj: Record<string, unknown>, overrides: string[] = []): Promise<Config> =>
  Config.load(obj, overrides, {
    lumen: false,
    scope: {
      x: {
        Box: class Box {
          constructor(public o: unknown = {}) {}
        },
      },
    },
  });

Deno.test("resolve: @id gives the resolved value; get keeps the raw string", async () => {
  const c = await load({
    nested: { value: 100 },
    ref: "@nested::value",
    l: [{ k: 1 }, { k: 2 }],
    li: "@l::1::k",
  });
  assert.equal(c.get("ref"), "@nested::value");
  assert.equal(c.resolve("ref"), 100);
  assert.equal(c.resolve("li"), 2);
});

Deno.test("resolve: the whole tree, and get/resolve of missing ids", async () => {
  const c = await load({ a: 1, b: "@a", c: { d: "$@b + 1" } });
  assert.deepEqual(c.resolve(), { a: 1, b: 1, c: { d: 2 } });
  assert.equal(c.get("zzz"), undefined);
  assert.equal(c.get("a::b::c"), undefined);
});

Deno.test("resolve: @id is the same instance every time", async () => {
  const c = await load({ d: { _target_: "x.Box" }, pair: ["@d", "@d"], also: "@d" });
  const [a, b] = c.resolve("pair") as object[];
  assert.equal(a, b);
  assert.equal(c.resolve("also"), a);
  assert.equal(c.resolve("d"), a);
  assert.equal((c.resolve() as { d: unknown }).d, a);
});

Deno.test("resolve: strings that are not whole references stay verbatim", async () => {
  const c = await load({ a: 1, c: 2, s1: "x @a", s2: "@a @c", s3: "mail: me@a.org" });
  assert.deepEqual(c.resolve(), { a: 1, c: 2, s1: "x @a", s2: "@a @c", s3: "mail: me@a.org" });
});

Deno.test("resolve: relative references @::x and @::::x", async () => {
  const c = await load({
    value: 0,
    parent: {
      sibling: 1,
      child: "@::sibling",
      deep: { up2: "@::::sibling", root: "@::::::value" },
    },
    parent2: { items: [5, "@::0"] },
  });
  assert.equal(c.resolve("parent::child"), 1);
  assert.equal(c.resolve("parent::deep::up2"), 1);
  assert.equal(c.resolve("parent::deep::root"), 0);
  assert.deepEqual(c.resolve("parent2::items"), [5, 5]);
});

Deno.test("resolve: relative references inside expressions", async () => {
  const c = await load({ a: { n: 3, twice: "$@::n * 2" } });
  assert.equal(c.resolve("a::twice"), 6);
});

Deno.test("resolve error: a relative reference above the root", async () => {
  const c = await load({ a: "@::::value" });
  await rejects(
    () => c.resolve("a"),
    ConfigReferenceError,
    "goes 2 levels up",
    "'a' is only 1 level deep",
  );
});

Deno.test("expressions: JavaScript with @id values", async () => {
  const c = await load({
    items: [1, 2, 3, 4, 5],
    vars: { root: "./proj" },
    mydict: { a: 1 },
    n: "$@items.length",
    path: "$`${@vars::root}/preds`",
    a: "$@mydict['a']",
    sum: "$@items.reduce((s, v) => s + v, 0)",
    obj: "$({k: @n})",
    math: "$Math.max(...@items)",
  });
  assert.equal(c.resolve("n"), 5);
  assert.equal(c.resolve("path"), "./proj/preds");
  assert.equal(c.resolve("a"), 1);
  assert.equal(c.resolve("sum"), 15);
  assert.deepEqual(c.resolve("obj"), { k: 5 });
  assert.equal(c.resolve("math"), 5);
});

Deno.test("expressions: the scope holds lumen and project", async () => {
  const c = await Config.load({ t: "$typeof lumen", p: "$project.answer" }, [], {
    scope: { project: { answer: 42 } },
  });
  assert.equal(c.resolve("t"), "object");
  assert.equal(c.resolve("p"), 42);
});

Deno.test("expressions: methods of resolved objects ($@system::model.parameters())", async () => {
  class Net {
    parameters(): number[] {
      return [1, 2];
    }
  }
  const c = await Config.load(
    {
      system: {
        model: { _target_: "p.Net" },
        optimizer: { params: "$@system::model.parameters()" },
      },
    },
    [],
    { lumen: false, scope: { p: { Net } } },
  );
  assert.deepEqual(c.resolve("system::optimizer::params"), [1, 2]);
});

Deno.test("expressions: an unreferenced expression never runs", async () => {
  const c = await load({ a: 1, boom: "$(() => { throw new Error('ran') })()" });
  assert.equal(c.resolve("a"), 1);
});

Deno.test("expression error: a runtime error names the expression and the JS error", async () => {
  const c = await load({ x: "$null.length" });
  const e = await rejects(
    () => c.resolve("x"),
    EvaluationError,
    "Failed to evaluate expression '$null.length'",
    "TypeError",
  );
  assert.ok(e.cause instanceof TypeError);
});

Deno.test("expression error: invalid JavaScript", async () => {
  const c = await load({ vars: { x: 1 }, x: "$%vars::x * 2", y: "$1 +* 2" });
  await rejects(
    () => c.resolve("x"),
    EvaluationError,
    "Invalid JavaScript",
    "SyntaxError",
    "'%' raw references",
  );
  await rejects(() => c.resolve("y"), EvaluationError, "'$1 +* 2'", "SyntaxError");
});

Deno.test("raw references: %id is a fresh deep copy of the raw YAML", async () => {
  const c = await load({
    original: { a: [1, 2], ref: "@v" },
    v: 7,
    copy: "%original",
    t: { _target_: "x.Box", k: 1 },
    b1: "%t",
    b2: "%t",
  });
  assert.equal(c.get("copy"), "%original");
  const r = c.resolve() as Record<string, unknown>;
  assert.deepEqual(r.copy, { a: [1, 2], ref: 7 });
  assert.notEqual(r.copy, r.original);
  assert.notEqual(r.b1, r.b2);
  assert.notEqual(r.b1, r.t);
});

Deno.test("raw references: %::rel, and relative refs inside the copy keep their origin", async () => {
  const c = await load({
    system: {
      metrics: { train: [{ n: 1 }], val: "%::train", test: "%::train" },
      dl: { train: { size: 3, bs: "@::size" }, val: "%::train" },
    },
  });
  assert.equal(c.get("system::metrics::val"), "%::train");
  assert.deepEqual(c.resolve("system::metrics"), {
    train: [{ n: 1 }],
    val: [{ n: 1 }],
    test: [{ n: 1 }],
  });
  assert.deepEqual(c.resolve("system::dl::val"), { size: 3, bs: 3 });
});

Deno.test("raw references: %file.yaml::id and %file.yaml", async () => {
  const c = await load({
    opt: `%${fixture("shared.yaml")}::optimizer`,
    lr: `%${fixture("shared.yaml")}::optimizer::lr`,
    whole: `%${fixture("shared.yaml")}`,
    rel: `%${fixture("shared.yaml")}::relative`,
  });
  assert.deepEqual(c.resolve("opt"), { lr: 0.5, betas: [0.9, 0.99] });
  assert.equal(c.resolve("lr"), 0.5);
  assert.deepEqual(Object.keys(c.resolve("whole") as object), ["optimizer", "relative"]);
  assert.deepEqual(c.resolve("rel"), { a: 1, b: 1 }); // `@::a` is relative to where it lands
  assert.deepEqual(c.resolve("whole::relative"), { a: 1, b: 1 });
});

Deno.test("raw reference errors: missing id, missing file, cycles", async () => {
  await rejects(
    async () => (await load({ vars: { x: 1 }, a: "%vars::y" })).resolve(),
    ConfigKeyError,
    "Raw reference '%vars::y' not found",
    "'%vars::x'",
  );
  await rejects(
    async () => (await load({ a: "%nope.yaml::x" })).resolve(),
    ConfigFileError,
    "'nope.yaml' not found",
  );
  await rejects(
    async () => (await load({ a: "%b", b: "%a" })).resolve(),
    CircularReferenceError,
    "Circular raw reference",
    "%a -> %b",
  );
  await rejects(
    async () => (await load({ a: { x: "%a" } })).resolve(),
    CircularReferenceError,
    "contains itself",
  );
});

Deno.test("reference error: a missing reference names the id and the closest ids", async () => {
  const c = await load({ system: { optimizer: { lr: 1 } }, value: 10, ref: "@vlue", ref2: "@lr" });
  await rejects(
    () => c.resolve("ref"),
    ConfigKeyError,
    "Reference '@vlue' not found",
    "Did you mean '@value'?",
  );
  await rejects(() => c.resolve("ref2"), ConfigKeyError, "'@system::optimizer::lr'");
});

Deno.test("reference error: from a file, the message starts with file:LINE @ id", async () => {
  const c = await Config.load(fixture("missing_ref.yaml"), [], { lumen: false });
  await rejects(
    () => c.resolve(),
    ConfigKeyError,
    /^tests\/config\/fixtures\/missing_ref\.yaml:4 @ ref: Reference '@vlue' not found\. Did you mean '@value'\?/,
  );
});

Deno.test("resolve error: a missing id lists the keys under its parent", async () => {
  const c = await load({ model: { lr: 1, wd: 2 } });
  await rejects(
    () => c.resolve("model::optimizer"),
    ConfigKeyError,
    "Config id 'model::optimizer' not found",
    "Keys under 'model': lr, wd",
  );
  await rejects(() => c.resolve("zzz"), ConfigKeyError, "Config id 'zzz' not found");
});

Deno.test("resolve error: circular references show the chain", async () => {
  const c = await load({ a: "@b", b: "@c", c: "@a", d: { x: "@d" }, e: "$@e + 1" });
  const e = await rejects(() => c.resolve("a"), CircularReferenceError, "a -> b -> c -> a");
  assert.deepEqual((e as CircularReferenceError).chain, ["a", "b", "c", "a"]);
  await rejects(() => c.resolve("d"), CircularReferenceError, "d -> d::x -> d");
  await rejects(() => c.resolve("e"), CircularReferenceError, "e -> e");
});

Deno.test("resolve error: a malformed reference suggests an expression", async () => {
  const c = await load({ a: { b: 1 }, r: "@a.b", s: "@a-b" });
  await rejects(
    () => c.resolve("r"),
    ConfigReferenceError,
    "Malformed reference '@a.b'",
    "'$@a.b'",
  );
  await rejects(() => c.resolve("s"), ConfigReferenceError, "'@a-b'");
});

Deno.test("resolve errors from files carry the line of the value", async () => {
  const f = await writeYaml({
    "e.yaml": 'vars:\n  x: 1\nmodel:\n  size: "$@vars::x.nope.deeper"\n',
  });
  await rejects(
    async () => (await Config.load(f["e.yaml"], [], { lumen: false })).resolve(),
    EvaluationError,
    /e\.yaml:4 @ model::size: Failed to evaluate/,
  );
});
