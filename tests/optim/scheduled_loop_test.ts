/**
 * Training loops whose learning rate changes every step follow torch (fixtures from
 * tests/optim/fixtures/gen_scheduled_loop.py) and compile no pipeline after their first step:
 * the rate reaches the kernels as a per-dispatch value, never as WGSL.
 */
import assert from "node:assert/strict";
import { deviceStats, F, noGrad, optim, type Tensor, tensor, tidy } from "../../mod.ts";
import { assign } from "../../src/ops/assign.ts";
import { assertClose } from "../_helpers.ts";

interface LoopCase {
  params: { shape: number[]; data: number[] }[];
  x: number[];
  y: number[];
  losses: number[];
  final: number[][];
}

const cases: Record<string, LoopCase> = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/scheduled_loop.json", import.meta.url)),
);

function setup(c: LoopCase): { params: Tensor[]; x: Tensor; y: Tensor } {
  return {
    params: c.params.map((p) =>
      tensor(new Float32Array(p.data), { shape: p.shape, requiresGrad: true })
    ),
    x: tensor(new Float32Array(c.x), { shape: [6, 4] }),
    y: tensor(Int32Array.from(c.y)),
  };
}

/** The fixture's 4-5-3 MLP and its cross-entropy. */
function lossOf(params: Tensor[], x: Tensor, y: Tensor): Tensor {
  const [w1, b1, w2, b2] = params;
  const h = x.matmul(w1.transpose(0, 1)).add(b1).relu();
  return F.crossEntropy(h.matmul(w2.transpose(0, 1)).add(b2), y);
}

/**
 * Runs `step` (which returns the step's loss) for every fixture step and checks the losses and
 * the final parameters against torch, and that the pipeline count after the first step stays
 * flat while the rate changes.
 */
async function runLoop(
  name: string,
  c: LoopCase,
  params: Tensor[],
  step: (i: number) => Tensor,
): Promise<void> {
  let afterFirst = -1;
  const losses: number[] = [];
  for (let i = 0; i < c.losses.length; i++) {
    const loss = step(i);
    losses.push(await loss.item());
    loss.dispose();
    if (i === 0) afterFirst = deviceStats().pipelines;
  }
  await assertClose(losses, c.losses, `${name} losses`, { rtol: 1e-5, atol: 1e-6 });
  for (let k = 0; k < params.length; k++) {
    await assertClose(params[k], c.final[k], `${name} final param ${k}`, { atol: 1e-5 });
  }
  assert.equal(
    deviceStats().pipelines,
    afterFirst,
    `${name}: pipelines compiled after the first step`,
  );
}

Deno.test("Adam with ExponentialLR stepped every step follows torch and compiles no pipeline after step 1", async () => {
  const c = cases.adam_exponential;
  const { params, x, y } = setup(c);
  const opt = new optim.Adam(params, { lr: 0.05 });
  const sched = new optim.ExponentialLR(opt, { gamma: 0.8 });
  const lrs: number[] = [];
  await runLoop("adam_exponential", c, params, () => {
    const loss = tidy(() => {
      opt.zeroGrad();
      const l = lossOf(params, x, y);
      l.backward();
      opt.step();
      return l;
    });
    sched.step();
    lrs.push(sched.getLastLr()[0]);
    return loss;
  });
  // The rate did change every step (0.05 * 0.8^k).
  assert.equal(new Set(lrs).size, lrs.length);
});

Deno.test("a hand-written update with a cosine rate (x.mul(lr), clamp(±lr)) follows torch and compiles no pipeline after step 1", async () => {
  const c = cases.manual_sgd_cosine;
  const { params, x, y } = setup(c);
  const holder = new optim.SGD(params, { lr: 0.1 });
  const sched = new optim.CosineAnnealingLR(holder, { TMax: c.losses.length });
  await runLoop("manual_sgd_cosine", c, params, () => {
    const lr = sched.getLastLr()[0];
    for (const p of params) {
      p.grad?.dispose();
      p.grad = null;
    }
    const loss = tidy(() => {
      const l = lossOf(params, x, y);
      l.backward();
      noGrad(() => {
        for (const p of params) {
          assign(p, p.mul(1 - lr * 0.01).sub(p.grad!.mul(lr)).clamp(-lr * 20, lr * 20));
        }
      });
      return l;
    });
    sched.step();
    return loss;
  });
});
