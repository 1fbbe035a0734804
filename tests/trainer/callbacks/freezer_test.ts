/**
 * Freezer with the real Trainer: torch's weights for Lighter's freeze/unfreeze rule
 * (freezer.json, gen_freezer.py), frozen weights and their optimizer state untouched to the bit,
 * every stage's batch start, and Lighter's and lumen's error texts.
 */
import assert from "node:assert/strict";
import { callbacks, type System } from "../../../mod.ts";
import { assertClose, type FixtureTensor } from "../../_helpers.ts";
import { quietTrainer, rejectsWith, snapshot, throwsWith, tinySystem } from "../_tiny.ts";

interface FreezerCase {
  label: string;
  freezer: {
    names?: string[];
    name_starts_with?: string[];
    until_step?: number;
    until_epoch?: number;
  };
  optimizer: "sgd" | "adam";
  epochs: number;
  weight0: FixtureTensor;
  bias0: FixtureTensor;
  weight: FixtureTensor;
  bias: FixtureTensor;
  requires_grad: Record<string, boolean>[];
}

const FIXTURE: { cases: FreezerCase[] } = JSON.parse(
  await Deno.readTextFile(new URL("./freezer.json", import.meta.url)),
);

/** Records each parameter's requiresGrad at every training batch start (after the Freezer's). */
class RequiresGradLog extends callbacks.Callback {
  rows: Record<string, boolean>[] = [];
  override onTrainBatchStart(_trainer: unknown, system: System): void {
    this.rows.push(
      Object.fromEntries([...system.model.namedParameters()].map(([n, p]) => [n, p.requiresGrad])),
    );
  }
}

/** Runs `fn` with console.error captured (the Freezer prints what it freezes, as Lighter logs). */
async function printed(fn: () => Promise<unknown>): Promise<string[]> {
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

Deno.test("Freezer: torch's weights for Lighter's freeze-until rule (step, epoch, for good; SGD and Adam)", async () => {
  for (const c of FIXTURE.cases) {
    const system = await tinySystem({
      optimizer: c.optimizer,
      weights: { weight: c.weight0, bias: c.bias0 },
    });
    const freezer = new callbacks.Freezer({
      names: c.freezer.names,
      nameStartsWith: c.freezer.name_starts_with,
      untilStep: c.freezer.until_step,
      untilEpoch: c.freezer.until_epoch,
    });
    const log = new RequiresGradLog();
    const trainer = quietTrainer({ maxEpochs: c.epochs, callbacks: [freezer, log] });
    await printed(() => trainer.fit(system));
    assert.deepEqual(log.rows, c.requires_grad, c.label);
    const sd = system.stateDict();
    await assertClose(sd["model.weight"], c.weight, c.label);
    await assertClose(sd["model.bias"], c.bias, c.label);
  }
});

Deno.test("Freezer: frozen weights and their optimizer state stay bit-identical, the rest train", async () => {
  for (const optimizer of ["sgd", "adam"] as const) {
    const system = await tinySystem({ mlp: true, optimizer });
    // Sequential: 0 = Linear(4, 16), 1 = ReLU, 2 = Dropout, 3 = Linear(16, 3).
    const freezer = new callbacks.Freezer({ nameStartsWith: "0.", exceptNames: "0.bias" });
    assert.deepEqual(freezer.frozenNames(system.model), ["0.weight"]);
    const before = await snapshot(system);
    const lines = await printed(() =>
      quietTrainer({ maxEpochs: 2, callbacks: [freezer] }).fit(system)
    );
    const after = await snapshot(system);
    assert.deepEqual(after["model.0.weight"], before["model.0.weight"], `${optimizer}: frozen`);
    for (const name of ["model.0.bias", "model.3.weight", "model.3.bias"]) {
      assert.notDeepEqual(after[name], before[name], `${optimizer}: ${name} trains`);
    }
    // The optimizer never saw a gradient for parameter 0 (0.weight): no state was made for it.
    const stateKeys = Object.keys(after).filter((k) => k.startsWith("opt."));
    assert.ok(stateKeys.length > 0);
    assert.ok(!stateKeys.some((k) => k.startsWith("opt.0.")), stateKeys.join(", "));
    assert.ok(stateKeys.some((k) => k.startsWith("opt.1.")), stateKeys.join(", "));
    assert.equal(requiresGrad(system, "0.weight"), false);
    assert.deepEqual(lines, ["Setting requires_grad=False the following layers: ['0.weight']"]);
  }
});

function requiresGrad(system: System, name: string): boolean {
  return new Map(system.model.namedParameters()).get(name)!.requiresGrad;
}

Deno.test("Freezer: unfreezes once at until_step, names given with the model. prefix", async () => {
  const system = await tinySystem({ mlp: true });
  const freezer = new callbacks.Freezer({ names: ["model.0.weight", "0.bias"], untilStep: 2 });
  const log = new RequiresGradLog();
  const weights: number[][] = [];
  class WeightLog extends callbacks.Callback {
    override async onTrainBatchStart(_t: unknown, s: System): Promise<void> {
      weights.push(Array.from(await new Map(s.model.namedParameters()).get("0.weight")!.data()));
    }
  }
  const lines = await printed(() =>
    quietTrainer({ maxEpochs: 1, callbacks: [freezer, log, new WeightLog()] }).fit(system)
  );
  assert.deepEqual(log.rows.map((r) => r["0.weight"]), [false, false, true, true, true]);
  assert.deepEqual(log.rows.map((r) => r["0.bias"]), [false, false, true, true, true]);
  assert.ok(log.rows.every((r) => r["3.weight"] && r["3.bias"]));
  // Steps 0 and 1 leave 0.weight as it was; step 2 (after unfreezing) changes it.
  assert.deepEqual(weights[1], weights[0]);
  assert.deepEqual(weights[2], weights[0]);
  assert.notDeepEqual(weights[3], weights[2]);
  assert.equal(freezer.frozen, false);
  assert.deepEqual(lines, [
    "Setting requires_grad=False the following layers until step 2: ['0.weight', '0.bias']",
    "Reached step 2 - unfreezing the previously frozen layers.",
  ]);
});

Deno.test("Freezer: freezes at the batch start of validate, test and predict too", async () => {
  for (const stage of ["validate", "test", "predict"] as const) {
    const system = await tinySystem();
    const freezer = new callbacks.Freezer({ names: "weight" });
    await printed(() => quietTrainer({ callbacks: [freezer] })[stage](system));
    const flags = Object.fromEntries(
      [...system.model.namedParameters()].map(([n, p]) => [n, p.requiresGrad]),
    );
    assert.deepEqual(flags, { weight: false, bias: true }, stage);
  }
});

Deno.test("Freezer: Lighter's errors, option checks, and unknown names with the closest ones", async () => {
  throwsWith(
    () => new callbacks.Freezer({ untilStep: 3 }),
    "At least one of `names` or `name_starts_with` must be specified.",
  );
  throwsWith(
    () => new callbacks.Freezer({ names: null, nameStartsWith: null }),
    "At least one of `names` or `name_starts_with` must be specified.",
  );
  throwsWith(
    () => new callbacks.Freezer({ names: "weight", untilStep: 1, untilEpoch: 1 }),
    "Only one of `until_step` or `until_epoch` can be specified.",
  );
  throwsWith(
    () => new callbacks.Freezer({ names: "weight", untilStep: -1 }),
    "Freezer: 'untilStep' must be an integer >= 0, got -1",
  );
  throwsWith(
    () => new callbacks.Freezer({ names: [""] }),
    "Freezer: 'names' must be a parameter name or a list of them",
  );
  throwsWith(
    () => new callbacks.Freezer({ names: "weight", untilEpochs: 2 } as never),
    "Freezer has no option 'untilEpochs'. Did you mean 'untilEpoch'?",
  );

  // Unknown names fail in setup, before any batch, naming the closest parameters.
  const system = await tinySystem({ mlp: true });
  await rejectsWith(
    () => quietTrainer({ callbacks: [new callbacks.Freezer({ names: "0.weigth" })] }).fit(system),
    "Freezer: '0.weigth' in 'names' is not a parameter of system.model (names are its " +
      "stateDict() keys). Closest parameter names: '0.weight'",
  );
  await rejectsWith(
    () =>
      quietTrainer({
        callbacks: [new callbacks.Freezer({ nameStartsWith: "model.encoder" })],
      }).validate(system),
    "Freezer: no parameter of system.model has a name starting with 'model.encoder' (in " +
      "'nameStartsWith'). Its parameters: 0.weight, 0.bias, 3.weight, 3.bias",
  );
  throwsWith(
    () =>
      new callbacks.Freezer({ nameStartsWith: "3.", exceptNameStartsWith: "3.wieght" })
        .frozenNames(system.model),
    "Closest parameter names: '3.weight'",
  );
  // Nothing was frozen by the failed runs.
  assert.ok([...system.model.namedParameters()].every(([, p]) => p.requiresGrad));
});
