import assert from "node:assert/strict";
import {
  autocast,
  deviceInfo,
  F,
  manualSeed,
  nn,
  optim,
  type Tensor,
  tensor,
  tidy,
} from "../../mod.ts";
import { load, save } from "../../src/io/mod.ts";
import { assertClose, type FixtureTensor, fromFixture, loadFixtures } from "../_helpers.ts";

interface TrainingCase {
  state: Record<string, FixtureTensor>;
  x: FixtureTensor;
  y: FixtureTensor;
  losses: number[];
  final: Record<string, FixtureTensor>;
  lr: number;
  steps: number;
  batch: number;
}

const fixtures = await loadFixtures<Record<"mlp" | "cnn", TrainingCase>>("training");

const ARCH: Record<"mlp" | "cnn", () => nn.Sequential> = {
  mlp: () =>
    new nn.Sequential(
      new nn.Linear({ inFeatures: 20, outFeatures: 32 }),
      new nn.ReLU(),
      new nn.Linear({ inFeatures: 32, outFeatures: 10 }),
    ),
  cnn: () =>
    new nn.Sequential(
      new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3 }),
      new nn.ReLU(),
      new nn.MaxPool2d({ kernelSize: 2 }),
      new nn.Flatten(),
      new nn.Linear({ inFeatures: 4 * 3 * 3, outFeatures: 5 }),
    ),
};

/** The fixed batches: batch i is rows [b·(i mod k), b·(i mod k) + b) of the sample set. */
function batches(c: TrainingCase): { x: Tensor; y: Tensor }[] {
  const n = c.x.shape[0], b = c.batch, row = c.x.data.length / n;
  return Array.from({ length: n / b }, (_, k) => ({
    x: tensor(new Float32Array(c.x.data.slice(k * b * row, (k + 1) * b * row)), {
      shape: [b, ...c.x.shape.slice(1)],
    }),
    y: tensor(new Int32Array(c.y.data.slice(k * b, (k + 1) * b))),
  }));
}

/** A model with the fixture's initial weights and an Adam over its parameters. */
function setup(kind: "mlp" | "cnn"): { model: nn.Sequential; opt: optim.Adam } {
  const c = fixtures[kind];
  manualSeed(123); // the initial draw is overwritten by loadStateDict
  const model = ARCH[kind]();
  model.loadStateDict(
    Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])),
  );
  return { model, opt: new optim.Adam(model.parameters(), { lr: c.lr }) };
}

/** Runs steps [from, to) and returns their losses. */
async function train(
  kind: "mlp" | "cnn",
  model: nn.Sequential,
  opt: optim.Adam,
  from: number,
  to: number,
  scaler?: optim.GradScaler,
): Promise<number[]> {
  const data = batches(fixtures[kind]);
  const losses: number[] = [];
  for (let i = from; i < to; i++) {
    const { x, y } = data[i % data.length];
    const loss = tidy(() => {
      opt.zeroGrad();
      if (!scaler) {
        const l = F.crossEntropy(model.call(x), y);
        l.backward();
        opt.step();
        return l;
      }
      // 16-mixed, as the Trainer runs it: f16 autocast forward, scaled loss, scaler step.
      const l = F.crossEntropy(autocast(() => model.call(x)), y);
      scaler.scale(l).backward();
      scaler.step(opt);
      scaler.update();
      return l;
    });
    losses.push(await loss.item());
    loss.dispose();
  }
  for (const { x, y } of data) x.dispose(), y.dispose();
  return losses;
}

for (const kind of ["mlp", "cnn"] as const) {
  Deno.test(`${kind}: 30 Adam steps give torch's loss at every step`, async () => {
    const c = fixtures[kind];
    const { model, opt } = setup(kind);
    const losses = await train(kind, model, opt, 0, c.steps);
    losses.forEach((loss, i) => {
      const rel = Math.abs(loss - c.losses[i]) / Math.abs(c.losses[i]);
      assert.ok(rel <= 1e-3, `step ${i}: loss ${loss}, torch ${c.losses[i]} (relative ${rel})`);
    });
    assert.ok(losses.at(-1)! < 0.6 * losses[0], "the loss went down");
    const state = model.stateDict();
    for (const [k, v] of Object.entries(c.final)) {
      await assertClose(state[k], v, `${kind} ${k} after ${c.steps} steps`, {
        rtol: 1e-2,
        atol: 1e-3,
      });
    }
  });
}

for (const kind of ["mlp", "cnn"] as const) {
  Deno.test({
    name: `${kind}: 30 Adam steps under 16-mixed stay within 2% of torch's float32 losses`,
    ignore: !deviceInfo().shaderF16,
    fn: async () => {
      const c = fixtures[kind];
      const { model, opt } = setup(kind);
      const scaler = new optim.GradScaler();
      const losses = await train(kind, model, opt, 0, c.steps, scaler);
      // The documented tolerance of 16-mixed against float32 (README, precision).
      let exact = true;
      losses.forEach((loss, i) => {
        const rel = Math.abs(loss - c.losses[i]) / Math.abs(c.losses[i]);
        assert.ok(rel <= 2e-2, `step ${i}: loss ${loss}, torch ${c.losses[i]} (relative ${rel})`);
        if (rel > 1e-6) exact = false;
      });
      assert.ok(!exact, "the half path changed the losses");
      assert.equal(await scaler.getScale(), 65536, "no step overflowed");
      const state = model.stateDict();
      for (const [k, v] of Object.entries(c.final)) {
        await assertClose(state[k], v, `${kind} ${k} after ${c.steps} steps`, {
          // Adam turns rounding noise in near-zero gradients into steps of about lr.
          rtol: 5e-2,
          atol: 2e-2,
        });
      }
    },
  });
}

/** Model and Adam state in one safetensors file: tensors by key, the rest as JSON metadata. */
async function saveCheckpoint(path: string, model: nn.Module, opt: optim.Adam): Promise<void> {
  const tensors: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(model.stateDict())) tensors[`model.${k}`] = v;
  const { state, param_groups } = opt.stateDict();
  const scalars: Record<string, Record<string, number>> = {};
  for (const [index, entry] of Object.entries(state)) {
    scalars[index] = {};
    for (const [name, value] of Object.entries(entry)) {
      if (typeof value === "number") scalars[index][name] = value;
      else tensors[`optim.${index}.${name}`] = value;
    }
  }
  await save(path, tensors, { optimizer: JSON.stringify({ scalars, param_groups }) });
}

async function loadCheckpoint(path: string, model: nn.Module, opt: optim.Adam): Promise<void> {
  const { tensors, metadata } = await load(path);
  const modelState: Record<string, Tensor> = {};
  const { scalars, param_groups } = JSON.parse(metadata.optimizer);
  const state: Record<number, Record<string, Tensor | number>> = {};
  for (const [index, values] of Object.entries(scalars as Record<string, Record<string, number>>)) {
    state[Number(index)] = { ...values };
  }
  for (const [key, t] of Object.entries(tensors)) {
    const [scope, ...rest] = key.split(".");
    if (scope === "model") modelState[rest.join(".")] = t;
    else state[Number(rest[0])][rest.slice(1).join(".")] = t;
  }
  model.loadStateDict(modelState);
  opt.loadStateDict({ state, param_groups });
}

Deno.test("checkpoint round trip: 10 steps, save, load into fresh objects, 10 more = 20 unbroken", async () => {
  const unbroken = setup("cnn");
  const straight = await train("cnn", unbroken.model, unbroken.opt, 0, 20);

  const first = setup("cnn");
  const before = await train("cnn", first.model, first.opt, 0, 10);
  const dir = await Deno.makeTempDir();
  await saveCheckpoint(`${dir}/step10.safetensors`, first.model, first.opt);
  first.model.dispose();

  const resumed = setup("cnn"); // fresh model and optimizer, weights reset to the initial ones
  await loadCheckpoint(`${dir}/step10.safetensors`, resumed.model, resumed.opt);
  const after = await train("cnn", resumed.model, resumed.opt, 10, 20);

  assert.deepEqual([...before, ...after], straight);
  const a = unbroken.model.stateDict(), b = resumed.model.stateDict();
  for (const k of Object.keys(a)) {
    assert.deepEqual(await b[k].data(), await a[k].data(), `${k} after 20 steps`);
  }
  const sa = unbroken.opt.stateDict().state[0], sb = resumed.opt.stateDict().state[0];
  assert.equal(sb.step, 20);
  assert.deepEqual(await (sb.exp_avg_sq as Tensor).data(), await (sa.exp_avg_sq as Tensor).data());
  await Deno.remove(dir, { recursive: true });
});
