/** Shapes of tests/fixtures/optim.json (written by tests/fixtures/gen_optim.py) and helpers. */
import { optim, type Tensor } from "../../mod.ts";
import { type FixtureTensor, fromFixture } from "../_helpers.ts";

/** One optimizer trajectory from torch. */
export interface OptimizerCase {
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop";
  options: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[] | null;
  params: FixtureTensor[];
  /** grads[step][param] */
  grads: FixtureTensor[][];
  /** trajectory[step][param]: values after step + 1 steps. */
  trajectory: FixtureTensor[][];
}

/** One scheduler curve from torch: each group's lr at construction and after each step. */
export interface SchedulerCase {
  scheduler: string;
  options: Record<string, unknown>;
  optimizer: "SGD" | "Adam";
  optimizerOptions: Record<string, unknown>;
  lrs: number[][];
  momentum: number[][];
  metrics?: number[];
}

/** The whole fixture file. */
export interface OptimFixtures {
  optimizers: Record<string, OptimizerCase>;
  schedulers: Record<string, SchedulerCase>;
}

const CLASSES = {
  SGD: optim.SGD,
  Adam: optim.Adam,
  AdamW: optim.AdamW,
  RMSprop: optim.RMSprop,
};

/** Builds the case's optimizer; `oneObject` uses the `{params, ...options}` form. */
export function build(c: OptimizerCase, params: Tensor[], oneObject: boolean): optim.Optimizer {
  // deno-lint-ignore no-explicit-any
  const Cls = CLASSES[c.optimizer] as any;
  const input = c.groups
    ? c.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) }))
    : params;
  return oneObject ? new Cls({ params: input, ...c.options }) : new Cls(input, c.options);
}

/** Sets each parameter's gradient to the fixture's gradients of `step`. */
export function setGrads(c: OptimizerCase, params: Tensor[], step: number): void {
  params.forEach((p, i) => {
    p.grad?.dispose();
    p.grad = fromFixture(c.grads[step][i]);
  });
}
