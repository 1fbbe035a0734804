/** The optimizer's learning rate and momentum per group, as Lighter logs them. */
import type { Optimizer } from "../optim/optimizer.ts";

/**
 * `optimizer/{Class}/lr` and `optimizer/{Class}/momentum` of each parameter group (Lighter's
 * `get_optimizer_stats`): the momentum is the group's `momentum`, or `betas[0]` (Adam), and is
 * left out when the group has neither. With several groups, `/group{N}` (from 1) is appended.
 */
export function optimizerStats(optimizer: Optimizer): Record<string, number> {
  const out: Record<string, number> = {};
  const groups = optimizer.paramGroups;
  const name = optimizer.constructor.name;
  groups.forEach((group, i) => {
    const suffix = groups.length > 1 ? `/group${i + 1}` : "";
    out[`optimizer/${name}/lr${suffix}`] = group.lr;
    const g = group as Record<string, unknown>;
    if (typeof g.momentum === "number") out[`optimizer/${name}/momentum${suffix}`] = g.momentum;
    if (Array.isArray(g.betas) && typeof g.betas[0] === "number") {
      out[`optimizer/${name}/momentum${suffix}`] = g.betas[0];
    }
  });
  return out;
}
