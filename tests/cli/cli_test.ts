import assert from "node:assert/strict";
import { VERSION } from "../../src/version.ts";
import { cliInProcess as cli, cliProcess, ROOT } from "./helpers.ts";

const FAKE = "tests/runner/fixtures/fake.yaml";
const STAGES = ["fit", "validate", "test", "predict", "lr_find", "scale_batch_size"];

Deno.test("VERSION is deno.json's version; --version and -V print it (exit 0)", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  assert.equal(VERSION, denoJson.version);
  for (const flag of ["--version", "-V"]) {
    const r = await cli([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), denoJson.version);
  }
});

Deno.test("lumen --help lists every command (exit 0); no command prints it and exits 2", async () => {
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: lumen \[options\] \[command\]/);
  for (const c of [...STAGES, "config"]) {
    assert.match(help.stdout, new RegExp(`\\n  ${c} .*<config> \\[overrides\\.\\.\\.\\]`), c);
  }
  assert.match(help.stdout, /PL_GLOBAL_SEED/);
  assert.match(help.stdout, /--allow-read --allow-env --allow-write/);
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^Usage: lumen/);
});

Deno.test("<command> --help: exit 0, usage, arguments and options of that command", async () => {
  for (const stage of STAGES) {
    const r = await cli([stage, "--help"]);
    assert.equal(r.code, 0, stage);
    assert.match(
      r.stdout,
      new RegExp(`^Usage: lumen ${stage} \\[options\\] <config> \\[overrides\\.\\.\\.\\]`),
    );
    assert.match(r.stdout, /Arguments:\n\s+config\s+config file: a\.yaml, or a\.yaml,b\.yaml/);
    assert.match(r.stdout, /overrides\s+overrides key::path=value/);
    assert.match(r.stdout, /Options:\n\s+-h, --help\s+print this help/);
    assert.match(r.stdout, new RegExp(`Examples:\\n  lumen ${stage} config\\.yaml`));
  }
  const config = await cli(["config", "--help"]);
  assert.equal(config.code, 0);
  assert.match(config.stdout, /--resolve <id>\s+print the resolved value at ID as JSON/);
  const viaHelp = await cli(["help", "fit"]);
  assert.equal(viaHelp.code, 0);
  assert.match(viaHelp.stdout, /^Usage: lumen fit/);
});

Deno.test("misuse exits 2: unknown command, missing config, unknown option", async () => {
  const unknown = await cli(["invalid", FAKE]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, "error: unknown command 'invalid'");
  const near = await cli(["fitt", FAKE]);
  assert.equal(near.code, 2);
  assert.match(near.stderr, /^error: unknown command 'fitt'\n\(Did you mean fit\?\)$/);
  for (const stage of ["fit", "config"]) {
    const missing = await cli([stage]);
    assert.equal(missing.code, 2, stage);
    assert.equal(missing.stderr, "error: missing required argument 'config'");
  }
  const onlyLegacy = await cli(["fit", "--args#fit#ckpt_path=x"]);
  assert.equal(onlyLegacy.code, 2);
  assert.equal(onlyLegacy.stderr, "error: missing required argument 'config'");
  for (const opt of ["--foo", "-x", "--max_epochs=5"]) {
    const r = await cli(["fit", FAKE, opt]);
    assert.equal(r.code, 2, opt);
    assert.equal(r.stderr, `error: unknown option '${opt.split("=")[0]}'`);
  }
  const resolveOnStage = await cli(["test", FAKE, "--resolve", "vars"]);
  assert.equal(resolveOnStage.code, 2);
  assert.equal(resolveOnStage.stderr, "error: unknown option '--resolve'");
});

Deno.test("errors exit 1 with one line 'error: <message>'", async () => {
  const missing = await cli(["fit", "nope.yaml"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: Config file 'nope\.yaml' not found/);
  assert.equal(missing.stderr.split("\n").length, 1);
  const twoFiles = await cli(["validate", `${FAKE},nope.yaml`]);
  assert.equal(twoFiles.code, 1);
  assert.match(twoFiles.stderr, /^error: Config file 'nope\.yaml' not found/);
  const badOverride = await cli(["fit", FAKE, "trainer::max_epochs"]);
  assert.equal(badOverride.code, 1);
  assert.match(
    badOverride.stderr,
    /^error: Invalid override 'trainer::max_epochs': expected the form 'key::path=value'/,
  );
  const badArg = await cli(["fit", FAKE, "args::fit::ckpt_pth=last.ckpt"]);
  assert.equal(badArg.code, 1);
  assert.match(
    badArg.stderr,
    /^error: override 'args::fit::ckpt_pth=last\.ckpt' @ args::fit::ckpt_pth: Unknown argument 'ckpt_pth' of the fit stage .*Did you mean 'ckpt_path'\? Valid arguments of fit: ckpt_path$/,
  );
  const ref = await cli(["fit", "tests/runner/fixtures/missing_ref.yaml"]);
  assert.equal(ref.code, 1);
  assert.match(
    ref.stderr,
    /^error: tests\/runner\/fixtures\/missing_ref\.yaml:11 @ system::dataloaders::val::batch_size: Reference '@vars::batch_sise' not found/,
  );
  const tunerArg = await cli(["lr_find", FAKE, "args::lr_find::min_l=0.1"]);
  assert.equal(tunerArg.code, 1);
  assert.match(
    tunerArg.stderr,
    /^error: override 'args::lr_find::min_l=0\.1' @ args::lr_find::min_l: Unknown argument 'min_l' of the lr_find stage \(Tuner\.lr_find\)\. Did you mean 'min_lr'\?/,
  );
});

Deno.test("the legacy --args#fit#ckpt_path=x form is an override, in any position", async () => {
  const r = await cli(["config", "--args#fit#ckpt_path=first.ckpt", FAKE, "vars::lr=0.5"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\nargs:\n {2}fit:\n {4}ckpt_path: first\.ckpt\n/);
  assert.match(r.stdout, /(^|\n)vars:\n {2}lr: 0\.5\n/);
  const s = await cli([
    "config",
    FAKE,
    "--trainer#max_epochs=7",
    "--resolve",
    "trainer::max_epochs",
  ]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout, "7");
});

Deno.test("a process: exit codes 0/1/2 reach the shell; stack traces only with LUMEN_DEBUG", async () => {
  const version = await cliProcess(["--version"]);
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), VERSION);
  const misuse = await cliProcess(["invalid", FAKE]);
  assert.equal(misuse.code, 2);
  assert.equal(misuse.stderr.trim(), "error: unknown command 'invalid'");
  const error = await cliProcess(["fit", "tests/runner/fixtures/missing_ref.yaml"]);
  assert.equal(error.code, 1);
  assert.match(error.stderr, /^error: tests\/runner\/fixtures\/missing_ref\.yaml:11 @ /);
  assert.doesNotMatch(error.stderr, /resolve\.ts/);
  for (const name of ["LUMEN_DEBUG", "LIGHTER_DEBUG"]) {
    const debug = await cliProcess(["fit", "tests/runner/fixtures/missing_ref.yaml"], {
      env: { [name]: "1" },
    });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /ConfigKeyError: .*Reference '@vars::batch_sise' not found/);
    assert.match(debug.stderr, /at .*src\/config\/resolve\.ts/);
  }
});
