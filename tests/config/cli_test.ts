import assert from "node:assert/strict";
import { parseYaml } from "../../src/deps.ts";
import { ROOT } from "./helpers.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const BASE = "examples/config/base.yaml";
const FT = "examples/config/finetune.yaml";

Deno.test("cli config: prints the merged config as YAML (a.yaml,b.yaml)", async () => {
  const r = await cli(["config", `${BASE},${FT}`]);
  assert.equal(r.code, 0, r.stderr);
  const cfg = parseYaml(r.stdout);
  assert.equal(cfg.trainer.max_epochs, 2);
  assert.equal(cfg.trainer.callbacks.length, 2, "a path key sets one item; the list is kept");
  assert.equal(cfg.trainer.callbacks[0].patience, 5);
  assert.equal(cfg.trainer.callbacks[0].monitor, "val/loss/epoch");
  assert.equal(cfg.vars.hidden, 256);
  assert.equal(cfg.system.optimizer.lr, 0.0005);
  assert.equal(cfg.system.optimizer.params, "$@system::model.parameters()", "unresolved");
  assert.equal(cfg.system.metrics.val, "%::train", "raw references kept");
  assert.deepEqual(cfg.args, { fit: { ckpt_path: null } });
});

Deno.test("cli config: seed overrides (list index, vars, optimizer lr, several at once)", async () => {
  const r = await cli([
    "config",
    BASE,
    "trainer::callbacks::0::patience=10",
    "vars::image_size=128",
    "system::optimizer::lr=0.001",
    "trainer::max_epochs=100",
    "trainer::devices=[0,1]",
    "trainer::precision=16-mixed",
    "trainer::fast_dev_run=true",
    "args::test::ckpt_path=best.ckpt",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const cfg = parseYaml(r.stdout);
  assert.ok(Array.isArray(cfg.trainer.callbacks), "the list stays a list");
  assert.equal(cfg.trainer.callbacks[0].patience, 10);
  assert.equal(cfg.trainer.callbacks[1].filename, "best");
  assert.equal(cfg.vars.image_size, 128);
  assert.equal(cfg.system.optimizer.lr, 0.001);
  assert.equal(cfg.trainer.max_epochs, 100);
  assert.deepEqual(cfg.trainer.devices, [0, 1]);
  assert.equal(cfg.trainer.precision, "16-mixed");
  assert.equal(cfg.trainer.fast_dev_run, true);
  assert.equal(cfg.args.test.ckpt_path, "best.ckpt");
});

Deno.test("cli config --resolve: prints a resolved value as JSON", async () => {
  const r = await cli(["config", BASE, "vars::image_size=128", "--resolve", "vars::pixels"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), 16384);
  const s = await cli(["config", BASE, "--resolve=vars::pixels"]);
  assert.equal(JSON.parse(s.stdout), 784);
  const d = await cli(["config", BASE, "vars::root=/tmp/x", "--resolve", "vars::pred_dir"]);
  assert.equal(JSON.parse(d.stdout), "/tmp/x/preds");
});

Deno.test("cli: the legacy --args#fit#ckpt_path=x form", async () => {
  const r = await cli(["config", BASE, "--args#fit#ckpt_path=path/to/checkpoint.ckpt"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(parseYaml(r.stdout).args.fit.ckpt_path, "path/to/checkpoint.ckpt");
});

Deno.test("cli stages: the config is validated before anything runs (exit 1)", async () => {
  for (const stage of ["fit", "validate", "test", "predict"]) {
    const r = await cli([stage, "tests/config/fixtures/empty.yaml"]);
    assert.equal(r.code, 1, stage);
    assert.match(r.stderr, /error: .*Missing required key 'trainer'/);
  }
});

Deno.test("cli errors: config errors print 'error: <message>' and exit 1", async () => {
  const bad = await cli(["fit", BASE, "trainer::max_epochs"]);
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /error: Invalid override 'trainer::max_epochs': expected the form 'key::path=value'/,
  );
  const unknown = await cli(["fit", BASE, "sytem::model::x=1"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /error: .*Unknown key 'sytem' at the top level/);
  const missing = await cli(["config", "nope.yaml"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /error: Config file 'nope.yaml' not found/);
  const ref = await cli(["config", "tests/config/fixtures/missing_ref.yaml", "--resolve", "ref"]);
  assert.equal(ref.code, 1);
  assert.match(
    ref.stderr,
    /error: tests\/config\/fixtures\/missing_ref\.yaml:4 @ ref: Reference '@vlue' not found/,
  );
  assert.doesNotMatch(ref.stderr, /at .*resolve\.ts/, "no stack trace without LUMEN_DEBUG");
});

Deno.test("cli errors: LUMEN_DEBUG=1 and LIGHTER_DEBUG=1 print stack traces", async () => {
  for (const name of ["LUMEN_DEBUG", "LIGHTER_DEBUG"]) {
    const r = await cli(["config", "tests/config/fixtures/missing_ref.yaml", "--resolve", "ref"], {
      [name]: "1",
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ConfigKeyError/);
    assert.match(r.stderr, /resolve\.ts/);
  }
});

Deno.test("cli usage: no args, unknown command, missing config exit 2; --help exits 0", async () => {
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: lumen/);
  const unknown = await cli(["invalid", BASE]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /error: unknown command 'invalid'/);
  const noConfig = await cli(["fit"]);
  assert.equal(noConfig.code, 2);
  assert.match(noConfig.stderr, /error: missing required argument 'config'/);
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: lumen/);
});
