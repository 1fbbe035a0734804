import assert from "node:assert/strict";
import {
  type Config,
  ConfigError,
  ConfigFileError,
  ConfigKeyError,
  ConfigValidationError,
  run,
  System,
  TargetNotFoundError,
  Trainer,
} from "../../mod.ts";
import type { StageSystem, StageTrainer } from "../../src/runner/classes.ts";
import { loadPruned, type RunStage } from "../../src/runner/mod.ts";
import { rejects } from "../config/helpers.ts";
import { FAKE_SCOPE, FakeSystem, FakeTrainer, resetFakes } from "./fake_lumen.ts";
import { fixture } from "./helpers.ts";

const STAGES_YAML = fixture("stages.yaml");

async function pruned(stage: RunStage, source = STAGES_YAML): Promise<Config> {
  return await loadPruned(stage, source);
}

function keys(config: Config, id: string): string[] {
  return Object.keys((config.get(id) ?? {}) as object).sort();
}

Deno.test("prune fit: train and val dataloaders/metrics, every system key, args::fit only", async () => {
  const c = await pruned("fit");
  assert.deepEqual(keys(c, "system::dataloaders"), ["train", "val"]);
  assert.deepEqual(keys(c, "system::metrics"), ["train", "val"]);
  assert.deepEqual(keys(c, "system"), [
    "adapters",
    "criterion",
    "dataloaders",
    "inferer",
    "metrics",
    "model",
    "optimizer",
    "scheduler",
  ]);
  assert.deepEqual(
    keys(c, "system::adapters"),
    ["predict", "test", "train", "val"],
    "adapters kept",
  );
  assert.deepEqual(keys(c, "args"), ["fit"]);
  assert.deepEqual(c.get("args::fit"), { ckpt_path: "last.ckpt" });
});

Deno.test("prune validate: val only, optimizer and scheduler dropped, criterion kept", async () => {
  const c = await pruned("validate");
  assert.deepEqual(keys(c, "system::dataloaders"), ["val"]);
  assert.deepEqual(keys(c, "system::metrics"), ["val"]);
  assert.equal(c.get("system::optimizer"), undefined);
  assert.equal(c.get("system::scheduler"), undefined);
  assert.deepEqual(c.get("system::criterion"), { kind: "criterion" });
  assert.deepEqual(keys(c, "system::adapters"), ["predict", "test", "train", "val"]);
  assert.deepEqual(keys(c, "args"), ["validate"]);
  // `val: "%::train"` was a copy of the pruned train metrics: expanded before pruning, it stays.
  assert.deepEqual(c.get("system::metrics::val"), [{ kind: "accuracy" }]);
});

for (const stage of ["test", "predict"] as const) {
  Deno.test(`prune ${stage}: its own mode only, optimizer, scheduler and criterion dropped`, async () => {
    const c = await pruned(stage);
    assert.deepEqual(keys(c, "system::dataloaders"), [stage]);
    // The test dataloader was "%::val": a copy of the (pruned) val dataloader.
    assert.deepEqual(c.get(`system::dataloaders::${stage}`), { batch_size: 16 });
    assert.deepEqual(keys(c, "system::metrics"), stage === "test" ? ["test"] : []);
    assert.deepEqual(keys(c, "system"), ["adapters", "dataloaders", "inferer", "metrics", "model"]);
    assert.deepEqual(keys(c, "args"), [stage]);
  });
}

Deno.test("prune: deletes are idempotent (keys that are missing are skipped)", async () => {
  for (const stage of ["fit", "validate", "test", "predict"] as const) {
    const c = await pruned(stage, fixture("minimal.yaml"));
    assert.deepEqual(c.get(), { trainer: {}, system: { model: { kind: "model" } } }, stage);
  }
});

Deno.test("run: a missing reference anywhere fails before the stage, with file:LINE @ id", async () => {
  resetFakes();
  await rejects(
    () => run("fit", fixture("missing_ref.yaml"), [], { scope: FAKE_SCOPE }),
    ConfigKeyError,
    "tests/runner/fixtures/missing_ref.yaml:11 @ system::dataloaders::val::batch_size: " +
      "Reference '@vars::batch_sise' not found",
    "vars::batch_size",
  );
  assert.equal(FakeTrainer.instances.length, 0, "nothing ran");
});

Deno.test("run: an unknown target fails at once with its location and the closest names", async () => {
  await rejects(
    () => run("fit", fixture("bad_target.yaml")),
    TargetNotFoundError,
    "tests/runner/fixtures/bad_target.yaml:4 @ system::model",
    "lumen.nn.Lineer",
    "lumen.nn.Linear",
  );
});

Deno.test("run: the references of a pruned stage are not resolved", async () => {
  // The val dataloader holds the bad reference; test prunes it, so the test stage runs.
  resetFakes();
  const config = {
    trainer: { _target_: "lumen.Trainer" },
    system: {
      _target_: "lumen.System",
      model: {},
      dataloaders: { val: { n: "@nope" }, test: { n: 3 } },
    },
  };
  const r = await run("test", config, [], { scope: FAKE_SCOPE });
  assert.deepEqual(r, [{ "test/loss/epoch": 0.25 }]);
  await rejects(() => run("validate", config, [], { scope: FAKE_SCOPE }), ConfigKeyError, "@nope");
});

Deno.test("run: system and trainer must be System and Trainer (TypeError)", async () => {
  await rejects(
    () => run("fit", STAGES_YAML),
    TypeError,
    "tests/runner/fixtures/stages.yaml:5 @ system: system must be System, got a mapping",
    "_target_: lumen.System",
  );
  await rejects(
    () => run("fit", STAGES_YAML, ["system::_target_=lumen.System"], { scope: FAKE_SCOPE }),
    TypeError,
    "tests/runner/fixtures/stages.yaml:3 @ trainer: trainer must be Trainer, got a mapping",
  );
  // The whole trainer is replaced: ReLU takes no options, so fake.yaml's max_epochs would fail.
  await rejects(
    () =>
      run("fit", fixture("fake.yaml"), ["trainer={_target_: lumen.nn.ReLU}"], {
        scope: FAKE_SCOPE,
      }),
    TypeError,
    "trainer must be Trainer, got ReLU",
  );
  await rejects(
    () => run("fit", fixture("fake.yaml"), ["system::_disabled_=true"], { scope: FAKE_SCOPE }),
    TypeError,
    "system must be System, got nothing",
  );
});

Deno.test("run fit: saves and logs the raw pruned config, calls trainer.fit(system, args)", async () => {
  resetFakes();
  const result = await run("fit", fixture("fake.yaml"), ["trainer::max_epochs=3"], {
    scope: FAKE_SCOPE,
  });
  assert.equal(result, undefined);
  assert.equal(FakeTrainer.instances.length, 1);
  assert.equal(FakeSystem.instances.length, 1);
  const trainer = FakeTrainer.instances[0];
  const system = FakeSystem.instances[0];
  assert.equal(trainer.options.maxEpochs, 3);
  assert.deepEqual(system.options.optimizer, { lr: 0.1 });
  assert.deepEqual(Object.keys(system.options.dataloaders as object), ["train", "val"]);
  assert.equal(trainer.calls.length, 1);
  assert.equal(trainer.calls[0].stage, "fit");
  assert.equal(trainer.calls[0].system, system);
  assert.deepEqual(trainer.calls[0].options, {}, "ckpt_path: null is left out");
  // The raw config (references unresolved), pruned for fit, saved once and logged to each logger.
  assert.equal(system.hparams.length, 1);
  const raw = system.hparams[0] as Record<string, Record<string, unknown>>;
  assert.equal(raw.trainer.max_epochs, 3);
  assert.deepEqual(raw.system.optimizer, { lr: "@vars::lr" });
  assert.deepEqual(raw.args, { fit: { ckpt_path: null } });
  assert.deepEqual(Object.keys(raw.system.dataloaders as object), ["train", "val"]);
  assert.equal(trainer.loggers.length, 2);
  for (const logger of trainer.loggers) assert.deepEqual(logger.params, [raw]);
});

Deno.test("run validate/test/predict: args in camelCase, the stage result returned", async () => {
  resetFakes();
  const v = await run("validate", fixture("fake.yaml"), [], { scope: FAKE_SCOPE });
  assert.deepEqual(v, [{ "val/loss/epoch": 0.5 }]);
  const t = await run("test", fixture("fake.yaml"), ["args::test::verbose=true"], {
    scope: FAKE_SCOPE,
  });
  assert.deepEqual(t, [{ "test/loss/epoch": 0.25 }]);
  const p = await run("predict", fixture("fake.yaml"), [], { scope: FAKE_SCOPE });
  assert.deepEqual(p, [{ pred: 1 }, { pred: 2 }]);
  const calls = FakeTrainer.instances.map((t) => t.calls[0]);
  assert.deepEqual(calls.map((c) => [c.stage, c.options]), [
    ["validate", { ckptPath: "best.ckpt", verbose: false }],
    ["test", { ckptPath: "best.ckpt", verbose: true }],
    ["predict", { ckptPath: "best.ckpt", returnPredictions: true }],
  ]);
  const dl = FakeSystem.instances.map((s) => Object.keys(s.options.dataloaders as object));
  assert.deepEqual(dl, [["val"], ["test"], ["predict"]]);
  assert.deepEqual(
    FakeSystem.instances.map((s) => "optimizer" in s.options),
    [false, false, false],
  );
  assert.deepEqual(FakeSystem.instances.map((s) => "criterion" in s.options), [true, false, false]);
});

Deno.test("run: the legacy --args#fit#ckpt_path=x override and camelCase arg names", async () => {
  resetFakes();
  await run("fit", fixture("fake.yaml"), ["--args#fit#ckpt_path=path/to/checkpoint.ckpt"], {
    scope: FAKE_SCOPE,
  });
  await run("fit", fixture("fake.yaml"), ["args::fit={ckptPath: camel.ckpt}"], {
    scope: FAKE_SCOPE,
  });
  assert.deepEqual(FakeTrainer.instances.map((t) => t.calls[0].options), [
    { ckptPath: "path/to/checkpoint.ckpt" },
    { ckptPath: "camel.ckpt" },
  ]);
});

Deno.test("run: an unknown or mistyped stage argument names the valid ones", async () => {
  await rejects(
    () => run("fit", fixture("fake.yaml"), ["args::fit::ckpt_pth=x.ckpt"], { scope: FAKE_SCOPE }),
    ConfigError,
    "args::fit::ckpt_pth: Unknown argument 'ckpt_pth' of the fit stage",
    "Did you mean 'ckpt_path'?",
    "Valid arguments of fit: ckpt_path",
  );
  await rejects(
    () =>
      run("test", fixture("fake.yaml"), ["args::test::return_predictions=true"], {
        scope: FAKE_SCOPE,
      }),
    ConfigError,
    "Valid arguments of test: ckpt_path, verbose",
  );
  await rejects(
    () =>
      run("validate", fixture("fake.yaml"), ["args::validate::verbose=yes"], {
        scope: FAKE_SCOPE,
      }),
    ConfigError,
    "'verbose' of the validate stage must be true or false, got 'yes'",
  );
  await rejects(
    () => run("fit", fixture("fake.yaml"), ["args::fit::ckpt_path=3"], { scope: FAKE_SCOPE }),
    ConfigError,
    "'ckpt_path' of the fit stage must be a checkpoint path",
  );
});

Deno.test("run: the tuner stages check their arguments; an unknown stage is named", async () => {
  await rejects(
    () => run("scale_batch_size", fixture("fake.yaml"), ["args::scale_batch_size::mod=power"]),
    ConfigError,
    "Unknown argument 'mod' of the scale_batch_size stage (Tuner.scale_batch_size). Did you mean 'mode'?",
  );
  await rejects(() => run("fitt", fixture("fake.yaml")), Error, "Unknown stage 'fitt'", "'fit'");
});

Deno.test("run: schema validation and override errors surface as config errors", async () => {
  await rejects(
    () => run("fit", fixture("fake.yaml"), ["sytem::model::x=1"], { scope: FAKE_SCOPE }),
    ConfigValidationError,
    "Unknown key 'sytem' at the top level",
  );
  await rejects(
    () => run("fit", "tests/runner/fixtures/nope.yaml"),
    ConfigFileError,
    "Config file 'tests/runner/fixtures/nope.yaml' not found",
  );
});

Deno.test("the real Trainer and System have what the runner calls (type-checked)", () => {
  const asTrainer = (t: Trainer): StageTrainer => t;
  const asSystem = (s: System): StageSystem => s;
  assert.equal(typeof asTrainer, "function");
  assert.equal(typeof asSystem, "function");
  assert.equal(typeof Trainer.prototype.fit, "function");
  assert.equal(typeof System.prototype.saveHyperparameters, "function");
});
