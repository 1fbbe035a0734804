import assert from "node:assert/strict";
import { Config, ConfigValidationError } from "../../src/config/mod.ts";
import { rejects, writeYaml } from "./helpers.ts";

const valid = {
  project: "./my_project",
  vars: { custom_var: 42, another_var: "value" },
  _requires_: [],
  trainer: { _target_: "lumen.Trainer", max_epochs: 10 },
  system: {
    _target_: "lumen.System",
    model: { _target_: "lumen.nn.Identity" },
    criterion: null,
    optimizer: { _target_: "lumen.optim.Adam" },
    scheduler: "@vars::custom_var",
    inferer: null,
    metrics: {
      train: [{ _target_: "lumen.metrics.Accuracy" }],
      val: "%::train",
      test: { acc: {} },
    },
    dataloaders: { train: {}, val: {}, test: "%::val", predict: null },
    adapters: { train: { batch: { input_accessor: 0 } }, val: "%::train" },
  },
  args: {
    fit: { ckpt_path: "checkpoint.ckpt" },
    validate: { verbose: true },
    test: { verbose: false },
    predict: { return_predictions: true },
    lr_find: {},
    scale_batch_size: null,
  },
};

const check = async (cfg: Record<string, unknown>): Promise<void> => {
  // `project` is imported at load; a stand-in namespace keeps this about the schema.
  (await Config.load(cfg, [], { lumen: false, scope: { project: {} } })).validate();
};

Deno.test("schema: a full runner config passes and is kept as given", async () => {
  const c = await Config.load(structuredClone(valid), [], {
    lumen: false,
    validate: true,
    scope: { project: {} },
  });
  assert.equal(c.get("project"), "./my_project");
  assert.equal(c.get("system::adapters::train::batch::input_accessor"), 0);
});

Deno.test("schema: trainer and system are required", async () => {
  await rejects(
    () => check({ system: {} }),
    ConfigValidationError,
    "Missing required key 'trainer'",
  );
  await rejects(
    () => check({ trainer: {} }),
    ConfigValidationError,
    "Missing required key 'system'",
  );
  await rejects(() => check({}), ConfigValidationError, "Missing required key");
});

Deno.test("schema: unknown keys are rejected, naming the key and the allowed ones", async () => {
  await rejects(
    () => check({ trainer: {}, system: {}, foo: 1 }),
    ConfigValidationError,
    "Unknown key 'foo' at the top level; allowed keys: trainer, system, project, vars, args, _requires_",
  );
  await rejects(
    () => check({ trainer: {}, system: { modle: {} } }),
    ConfigValidationError,
    "Unknown key 'modle' under 'system'",
    "model, criterion",
  );
  await rejects(
    () => check({ trainer: {}, system: { dataloaders: { foo: {} } } }),
    ConfigValidationError,
    "'foo' under 'system::dataloaders'",
    "train, val, test, predict",
  );
  await rejects(
    () => check({ trainer: {}, system: { metrics: { predict: [] } } }),
    ConfigValidationError,
    "'predict' under 'system::metrics'",
  );
  await rejects(
    () => check({ trainer: {}, system: {}, args: { train: {} } }),
    ConfigValidationError,
    "'train' under 'args'",
    "lr_find, scale_batch_size",
  );
});

Deno.test("schema: value kinds are checked; @, $ and % strings pass", async () => {
  await rejects(
    () => check({ trainer: ["not", "a", "dict"], system: {} }),
    ConfigValidationError,
    "'trainer' must be a mapping, got a list",
  );
  await rejects(
    () => check({ trainer: {}, system: "not a dict" }),
    ConfigValidationError,
    "'system' must be a mapping, got a string",
  );
  await rejects(
    () => check({ trainer: {}, system: { metrics: { train: "x" } } }),
    ConfigValidationError,
    "'system::metrics::train' must be a list or a mapping",
  );
  await rejects(
    () => check({ trainer: {}, system: {}, project: 3 }),
    ConfigValidationError,
    "'project' must be a string",
  );
  await check({ trainer: "@vars::t", system: "$({})", vars: { t: {} } });
});

Deno.test("schema: errors about file values start with file:LINE @ id", async () => {
  const f = await writeYaml({
    "s.yaml": "trainer: {}\nsystem:\n  model: {}\n  dataloaders:\n    tran: {}\n",
  });
  await rejects(
    () => Config.load(f["s.yaml"], [], { lumen: false, validate: true }),
    ConfigValidationError,
    /s\.yaml:5 @ system::dataloaders::tran: Unknown key 'tran'/,
  );
});

Deno.test("schema: validation sees the overrides", async () => {
  await rejects(
    () =>
      Config.load({ trainer: {}, system: {} }, ["sytem::model={}"], {
        lumen: false,
        validate: true,
      }),
    ConfigValidationError,
    /^override 'sytem::model=\{\}' @ sytem: Unknown key 'sytem'/,
  );
});
