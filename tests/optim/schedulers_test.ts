import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { loadFixtures } from "../_helpers.ts";
import type { OptimFixtures, SchedulerCase } from "./_fixtures.ts";

const fixtures = await loadFixtures<OptimFixtures>("optim");

type SchedulerClass = new (
  optimizer: optim.AnyOptimizer,
  options: Record<string, unknown>,
) => optim.Scheduler;

const SCHEDULERS: Record<string, SchedulerClass> = {
  StepLR: optim.StepLR as unknown as SchedulerClass,
  MultiStepLR: optim.MultiStepLR as unknown as SchedulerClass,
  ExponentialLR: optim.ExponentialLR as unknown as SchedulerClass,
  CosineAnnealingLR: optim.CosineAnnealingLR as unknown as SchedulerClass,
  LinearLR: optim.LinearLR as unknown as SchedulerClass,
  OneCycleLR: optim.OneCycleLR as unknown as SchedulerClass,
  ReduceLROnPlateau: optim.ReduceLROnPlateau as unknown as SchedulerClass,
};

/** The fixture's optimizer: two groups (lr from the options, then 0.05), as gen_optim.py. */
function makeOptimizer(c: SchedulerCase): optim.Optimizer {
  const groups = [
    { params: [tensor([0, 0], { requiresGrad: true })] },
    { params: [tensor([0], { requiresGrad: true })], lr: 0.05 },
  ];
  return c.optimizer === "SGD"
    ? new optim.SGD(groups, c.optimizerOptions)
    : new optim.Adam(groups, c.optimizerOptions);
}

function makeScheduler(
  c: SchedulerCase,
  opt: optim.Optimizer,
  oneObject: boolean,
): optim.Scheduler {
  const Cls = SCHEDULERS[c.scheduler];
  if (!oneObject) return new Cls(opt, c.options);
  const FromConfig = Cls as unknown as new (config: Record<string, unknown>) => optim.Scheduler;
  return new FromConfig({ optimizer: opt, ...c.options });
}

function momentumOf(opt: optim.Optimizer): number[] {
  return opt.paramGroups.map((g) =>
    Array.isArray(g.betas) ? g.betas[0] as number : g.momentum as number
  );
}

/** Same arithmetic as torch in doubles: equal up to a few ulps of Math.cos. */
function assertNear(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => {
    const e = expected[i];
    if (!(Math.abs(a - e) <= 1e-15 + 1e-12 * Math.abs(e))) {
      assert.fail(`${what} [${i}]: got ${a}, expected ${e}`);
    }
  });
}

function stepOnce(c: SchedulerCase, s: optim.Scheduler, step: number): void {
  if (c.metrics) s.step(c.metrics[step]);
  else s.step();
}

Object.entries(fixtures.schedulers).forEach(([name, c], index) => {
  const oneObject = index % 2 === 0;
  Deno.test(`optim ${name} follows torch's curve for 30 steps (${oneObject ? "{optimizer}" : "(optimizer, options)"})`, () => {
    const opt = makeOptimizer(c);
    const sched = makeScheduler(c, opt, oneObject);
    assertNear(sched.getLastLr(), c.lrs[0], `${name} lr at construction`);
    for (let step = 0; step < c.lrs.length - 1; step++) {
      stepOnce(c, sched, step);
      assertNear(sched.getLastLr(), c.lrs[step + 1], `${name} lr after step ${step + 1}`);
      assertNear(opt.paramGroups.map((g) => g.lr), c.lrs[step + 1], `${name} group lr`);
      assertNear(momentumOf(opt), c.momentum[step + 1], `${name} momentum after ${step + 1}`);
    }
  });
});

for (
  const name of [
    "cosine_annealing_lr",
    "one_cycle_lr_three_phase",
    "reduce_lr_on_plateau_min",
    "multi_step_lr",
  ]
) {
  Deno.test(`optim ${name}: state dicts saved at step 10 resume the same curve`, () => {
    const c = fixtures.schedulers[name];
    const opt = makeOptimizer(c);
    const sched = makeScheduler(c, opt, false);
    for (let step = 0; step < 10; step++) stepOnce(c, sched, step);
    const savedOpt = opt.stateDict();
    const savedSched = sched.stateDict();
    const opt2 = makeOptimizer(c);
    const sched2 = makeScheduler(c, opt2, true);
    stepOnce(c, sched2, 0); // move away from the saved state before loading it
    opt2.loadStateDict(savedOpt);
    sched2.loadStateDict(savedSched);
    assertNear(sched2.getLastLr(), c.lrs[10], `${name} lr after loading`);
    for (let step = 10; step < c.lrs.length - 1; step++) {
      stepOnce(c, sched2, step);
      assertNear(sched2.getLastLr(), c.lrs[step + 1], `${name} resumed lr after ${step + 1}`);
      assertNear(momentumOf(opt2), c.momentum[step + 1], `${name} resumed momentum`);
    }
  });
}

Deno.test("optim OneCycleLR throws past totalSteps and keeps its state", () => {
  const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
  const sched = new optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 3 });
  for (let i = 0; i < 3; i++) sched.step();
  const lr = opt.paramGroups[0].lr;
  assert.throws(
    () => sched.step(),
    /OneCycleLR was stepped 5 times; its total number of steps is 3/,
  );
  assert.equal(opt.paramGroups[0].lr, lr);
  assert.equal(sched.lastEpoch, 3);
});

Deno.test("optim schedulers reject bad options with clear messages", () => {
  const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
  assert.throws(
    () => new optim.StepLR(opt, { stepSize: 0 }),
    /StepLR: 'stepSize' must be a positive integer, got 0/,
  );
  assert.throws(
    () => new optim.StepLR({ optimizer: opt, step_size: 2 } as never),
    /StepLR has no option 'step_size'; expected one of: optimizer, stepSize, gamma, lastEpoch/,
  );
  assert.throws(
    () => new optim.ExponentialLR({ optimizer: "@system::optimizer", gamma: 0.5 } as never),
    /ExponentialLR expects an optimizer, got string/,
  );
  assert.throws(
    () => new optim.ReduceLROnPlateau(opt, { factor: 1 }),
    /ReduceLROnPlateau: 'factor' must be a number >= 0 and < 1, got 1/,
  );
  assert.throws(
    () => new optim.ReduceLROnPlateau(opt, { mode: "up" as never }),
    /'mode' must be "min" or "max", got "up"/,
  );
  assert.throws(() => new optim.OneCycleLR(opt, { maxLr: 1 }), /needs 'totalSteps', or 'epochs'/);
  assert.throws(
    () => new optim.OneCycleLR(opt, { maxLr: [1, 2], totalSteps: 5 }),
    /expected 1 values for 'maxLr' \(one per group\), got 2/,
  );
  assert.throws(
    () => new optim.StepLR(opt, { stepSize: 2, lastEpoch: 4 }),
    /needs 'initialLr' in every parameter group; group 0 has none/,
  );
  const plateau = new optim.ReduceLROnPlateau(opt);
  assert.throws(() => plateau.step(), /needs the monitored metric as a number, got undefined/);
});

Deno.test("optim CosineAnnealingLR takes TMax, the camelCase of a config's T_max", () => {
  const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
  const sched = new optim.CosineAnnealingLR({ optimizer: opt, TMax: 2 });
  sched.step();
  assertNear(sched.getLastLr(), [0.5], "lr at T_max / 2");
  assert.equal(sched.stateDict().t_max, 2);
});

Deno.test("optim schedulers record initialLr and resume from lastEpoch as torch", () => {
  const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
  new optim.ExponentialLR(opt, { gamma: 0.5 }).step();
  assert.equal(opt.paramGroups[0].initialLr, 1);
  assert.equal(opt.paramGroups[0].lr, 0.5);
  // A second scheduler resuming at epoch 4 keeps the recorded initialLr as its base.
  const sched = new optim.StepLR(opt, { stepSize: 5, gamma: 0.1, lastEpoch: 4 });
  assert.equal(sched.lastEpoch, 5);
  assert.deepEqual(sched.getLastLr(), [0.05]);
  assert.equal(sched.stateDict().step_size, 5);
});
