/**
 * `system::model::compile` (the seeds' compile mode: `lighter fit config.yaml
 * system::model::compile=true`): run() takes it out of the model's mapping before resolving (so
 * any model class resolves), calls the built model's `compile()` when it is true (its forward
 * then runs with elementwise chains fused), and keeps it in the logged hyperparameters.
 */
import assert from "node:assert/strict";
import { parseYaml } from "../../src/deps.ts";
import { nn, run } from "../../mod.ts";
import { rejects } from "../config/helpers.ts";
import { fixture } from "./helpers.ts";

const CONFIG = fixture("mlp.yaml");

/** Runs `fn` with console.error captured. */
async function stderrOf(fn: () => Promise<unknown>): Promise<string[]> {
  const original = console.error;
  const lines: string[] = [];
  console.error = (...m: unknown[]) => lines.push(m.join(" "));
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return lines;
}

function tempRoot(): string {
  return Deno.makeTempDirSync({ prefix: "lumen-compile-" });
}

Deno.test("system::model::compile=true compiles the model; the fit equals the plain one", async () => {
  const plainRoot = tempRoot();
  const plainLines = await stderrOf(() =>
    run("fit", CONFIG, [`vars::root=${plainRoot}`, "trainer::max_epochs=1"])
  );
  const compiled: unknown[] = [];
  const original = nn.Module.prototype.compile;
  nn.Module.prototype.compile = function () {
    compiled.push(this);
    return original.call(this);
  };
  const root = tempRoot();
  let lines: string[];
  try {
    lines = await stderrOf(() =>
      run("fit", CONFIG, [
        `vars::root=${root}`,
        "trainer::max_epochs=1",
        "system::model::compile=true",
      ])
    );
  } finally {
    nn.Module.prototype.compile = original;
  }
  assert.equal(compiled.length, 1);
  assert.ok(compiled[0] instanceof nn.Sequential && compiled[0].compiled);
  assert.deepEqual(lines.filter((l) => l.includes("compile")), []);
  assert.deepEqual(plainLines.filter((l) => l.includes("compile")), []);
  const logs = "lightning_logs/version_0";
  // Same seed, same steps; Linear -> ReLU has no elementwise chain to fuse: the same numbers.
  assert.equal(
    await Deno.readTextFile(`${root}/${logs}/metrics.csv`),
    await Deno.readTextFile(`${plainRoot}/${logs}/metrics.csv`),
  );
  // The logged hyperparameters are the config as given, the flag included.
  const hparams = parseYaml(await Deno.readTextFile(`${root}/${logs}/hparams.yaml`)) as {
    system: { model: Record<string, unknown> };
  };
  assert.equal(hparams.system.model.compile, true);
  assert.equal(hparams.system.model._target_, "lumen.nn.Sequential");
});

Deno.test("system::model::compile=false is taken out silently; other values are an error", async () => {
  const root = tempRoot();
  const lines = await stderrOf(() =>
    run("validate", CONFIG, [`vars::root=${root}`, "system::model::compile=false"])
  );
  assert.deepEqual(lines.filter((l) => l.includes("compile")), []);
  await rejects(
    () => run("validate", CONFIG, [`vars::root=${root}`, "system::model::compile=fast"]),
    TypeError,
    "override 'system::model::compile=fast' @ system::model::compile: system::model::compile must be true or false, got the string \"fast\"",
  );
});
