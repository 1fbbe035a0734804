/**
 * `precision: "16-mixed"`: half matrix products and convolutions against torch references
 * (tests/fixtures/gen_half.py), GradScaler's rule (torch.cuda.amp's: skip and halve on overflow,
 * double after growthInterval clean steps), and a Trainer fit under 16-mixed beside float32.
 */
import assert from "node:assert/strict";
import { autocast, deviceInfo, F, manualSeed, optim, tensor } from "../../mod.ts";
import { readCheckpoint, writeCheckpoint } from "../../src/trainer/checkpoint.ts";
import { parsePrecision } from "../../src/trainer/precision.ts";
import { assertClose, type FixtureTensor, fromFixture, loadFixtures } from "../_helpers.ts";
import { quietTrainer, snapshot, tempDir, throwsWith, tinySystem } from "./_tiny.ts";

interface MatmulCase {
  a: FixtureTensor;
  b: FixtureTensor;
  half: FixtureTensor;
  float: FixtureTensor;
}
interface ConvCase {
  x: FixtureTensor;
  w: FixtureTensor;
  bias: FixtureTensor;
  half: FixtureTensor;
  float: FixtureTensor;
}
type HalfFixtures = Record<string, MatmulCase> & { conv2d: ConvCase };

const fixtures = await loadFixtures<HalfFixtures>("half");
const f16 = deviceInfo().shaderF16;

/** Largest |a - b| over two flat arrays. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

for (const name of ["matmul_small", "matmul_vec4", "matmul_wide"]) {
  Deno.test({
    name: `16-mixed: ${name} under autocast equals the f16 reference, not the f32 product`,
    ignore: !f16,
    fn: async () => {
      const c = fixtures[name] as MatmulCase;
      const a = fromFixture(c.a), b = fromFixture(c.b);
      const y = autocast(() => a.matmul(b));
      // One f16 ulp of the result (2^-10 relative) covers lumen's f32 sums against float64.
      await assertClose(y, c.half, name, { rtol: 2 ** -10, atol: 1e-3 });
      const got = await y.data();
      assert.ok(maxDiff(got, c.float.data) > 1e-3, "the half path changed the numbers");
      const plain = await a.matmul(b).data();
      await assertClose(plain, c.float, `${name} outside autocast`, { rtol: 1e-5, atol: 1e-5 });
    },
  });
}

Deno.test({
  name: "16-mixed: conv2d under autocast rounds inputs, weights and output through f16",
  ignore: !f16,
  fn: async () => {
    const c = fixtures.conv2d;
    const y = autocast(() =>
      F.conv2d(fromFixture(c.x), fromFixture(c.w), fromFixture(c.bias), { padding: 1 })
    );
    await assertClose(y, c.half, "conv2d", { rtol: 2 ** -10, atol: 1e-3 });
    assert.ok(maxDiff(await y.data(), c.float.data) > 1e-3, "the half path changed the numbers");
  },
});

Deno.test({
  name: "16-mixed: a product beyond f16's range overflows to inf, inf * 0 gives NaN",
  ignore: !f16,
  fn: async () => {
    const y = autocast(() => tensor([[70000, 1], [300, 300]]).matmul(tensor([[1, 0], [0, 1]])));
    const [big, nan, p, q] = await y.data();
    assert.equal(big, Infinity);
    assert.ok(Number.isNaN(nan), `inf * 0 + 1 is NaN, got ${nan}`);
    assert.deepEqual([p, q], [300, 300]);
    const sq = autocast(() => tensor([[300]]).matmul(tensor([[300]])));
    assert.deepEqual([...await sq.data()], [Infinity], "90000 > 65504");
  },
});

Deno.test("GradScaler: an overflowing step is skipped and halves the scale; clean steps grow it", async () => {
  const w = tensor([1, 2], { requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 0.25 });
  const scaler = new optim.GradScaler({ initScale: 2 ** 126, growthInterval: 2 });
  const step = () => {
    opt.zeroGrad();
    scaler.scale(w.mul(w).sum()).backward();
    scaler.step(opt);
    scaler.update();
  };
  // The loss 1 + 4 = 5 times 2^126 overflows float32: skipped, scale halved.
  step();
  assert.deepEqual([...await w.data()], [1, 2]);
  assert.equal(await scaler.getScale(), 2 ** 125);
  // 5 * 2^125 is finite: w - 0.25 * 2w = w / 2, exactly.
  step();
  assert.deepEqual([...await w.data()], [0.5, 1]);
  assert.equal(await scaler.getScale(), 2 ** 125);
  // The second clean step in a row reaches growthInterval = 2: the scale doubles.
  step();
  assert.deepEqual([...await w.data()], [0.25, 0.5]);
  assert.equal(await scaler.getScale(), 2 ** 126);
  const state = await scaler.stateDict();
  assert.deepEqual(state, {
    scale: 2 ** 126,
    growth_factor: 2,
    backoff_factor: 0.5,
    growth_interval: 2,
    _growth_tracker: 0,
  });
  const again = new optim.GradScaler();
  again.loadStateDict({ ...state, scale: 8, _growth_tracker: 1 });
  assert.equal(await again.getScale(), 8);
  assert.equal((await again.stateDict())._growth_tracker, 1);
});

Deno.test("GradScaler: a skipped first Adam step leaves weights and zeroes the moments", async () => {
  const w = tensor([1, -2], { requiresGrad: true });
  const opt = new optim.Adam([w], { lr: 0.1 });
  const scaler = new optim.GradScaler({ initScale: 3e38 });
  scaler.scale(w.mul(w).sum()).backward(); // 5 * 3e38 = inf
  scaler.step(opt);
  scaler.update();
  assert.deepEqual([...await w.data()], [1, -2]);
  const state = opt.stateDict().state[0];
  assert.deepEqual([...await (state.exp_avg as typeof w).data()], [0, 0]);
  assert.deepEqual([...await (state.exp_avg_sq as typeof w).data()], [0, 0]);
});

Deno.test("GradScaler: options are checked by name and range", () => {
  throwsWith(() => new optim.GradScaler({ initScal: 2 } as never), "Did you mean 'initScale'");
  throwsWith(() => new optim.GradScaler({ backoffFactor: 2 }), "backoffFactor should be < 1");
  throwsWith(() => new optim.GradScaler({ growthInterval: 0.5 }), "positive integer");
});

Deno.test("Trainer precision: Lightning's names are read; bf16 and others fail saying why", () => {
  assert.equal(parsePrecision(16), "16-mixed");
  assert.equal(parsePrecision("16-mixed"), "16-mixed");
  assert.equal(parsePrecision("32"), "32-true");
  throwsWith(() => quietTrainer({ precision: "bf16-mixed" }), "WebGPU lacks");
  throwsWith(() => quietTrainer({ precision: "bf16-mixed" }), "'shader-f16'");
  throwsWith(() => quietTrainer({ precision: "64-true" }), "'16-mixed'");
});

Deno.test({
  name: "Trainer 16-mixed: fits beside float32 within tolerance; the scaler state is checkpointed",
  ignore: !f16,
  fn: async () => {
    const run = async (precision: string) => {
      manualSeed(5); // the same initial weights and batches for both runs
      const system = await tinySystem({ optimizer: "adam", lr: 0.05 });
      const trainer = quietTrainer({ precision, maxEpochs: 4 });
      await trainer.fit(system);
      const path = `${tempDir()}/last.ckpt`;
      await trainer.saveCheckpoint(path);
      return { weights: await snapshot(system), path };
    };
    const full = await run("32");
    const mixed = await run("16-mixed");
    const ckpt = await readCheckpoint(mixed.path);
    const scaler = ckpt.meta.MixedPrecision as Record<string, number>;
    for (const t of Object.values(ckpt.tensors)) t.dispose();
    // No gradient of this small model overflows at torch's initial scale.
    assert.equal(scaler.scale, 65536);
    assert.equal(scaler.growth_interval, 2000);
    const weights = ["model.weight", "model.bias"];
    for (const k of weights) {
      const diff = maxDiff(full.weights[k], mixed.weights[k]);
      // Documented tolerance (README, precision): weights within 5e-3 of float32.
      assert.ok(diff < 5e-3, `${k}: 16-mixed differs from f32 by ${diff}`);
    }
    const moved = weights.some((k) => maxDiff(full.weights[k], mixed.weights[k]) > 0);
    assert.ok(moved, "16-mixed ran in half precision (the weights are not bit-equal)");
  },
});

Deno.test({
  name: "Trainer 16-mixed: resuming restores the GradScaler's scale and clean-step count",
  ignore: !f16,
  fn: async () => {
    manualSeed(5);
    const first = quietTrainer({ precision: "16-mixed", maxEpochs: 1 });
    const system = await tinySystem({ optimizer: "adam", lr: 0.05 });
    await first.fit(system);
    const path = `${tempDir()}/epoch0.ckpt`;
    await first.saveCheckpoint(path);
    // A checkpoint whose scaler had backed off to 1024, 7 clean steps ago.
    const ckpt = await readCheckpoint(path);
    const scaler = ckpt.meta.MixedPrecision as Record<string, number>;
    assert.equal(scaler._growth_tracker, 5, "5 clean steps in the first epoch");
    ckpt.meta.MixedPrecision = { ...scaler, scale: 1024, _growth_tracker: 7 };
    await writeCheckpoint(path, ckpt);
    for (const t of Object.values(ckpt.tensors)) t.dispose();
    const second = quietTrainer({ precision: "16-mixed", maxEpochs: 2 });
    await second.fit(await tinySystem({ optimizer: "adam", lr: 0.05 }), { ckptPath: path });
    const after = `${tempDir()}/epoch1.ckpt`;
    await second.saveCheckpoint(after);
    const resumed = await readCheckpoint(after);
    const state = resumed.meta.MixedPrecision as Record<string, number>;
    for (const t of Object.values(resumed.tensors)) t.dispose();
    assert.equal(state.scale, 1024, "the restored scale, unchanged by 5 clean steps");
    assert.equal(state._growth_tracker, 12, "7 restored + 5 more clean steps");
  },
});
