/**
 * conv2d's GPU weight-gradient path (im2col, then the batched matmul summed over the batch; real
 * GPUs take it, llvmpipe keeps the direct kernel) against torch's weight gradients of every
 * ungrouped conv case in tests/fixtures/conv.json, run here directly on whatever adapter.
 */
import { weightGradByColumns } from "../../src/nn/functional/_conv2d_columns.ts";
import { conv2dGeometry } from "../../src/nn/functional/_conv2d_geometry.ts";
import type { F } from "../../mod.ts";
import { assertClose, type FixtureCase, fromFixture, loadFixtures } from "../_helpers.ts";

const cases = await loadFixtures<Record<string, FixtureCase>>("conv");

for (const [name, c] of Object.entries(cases)) {
  const args = c.args as Record<string, unknown>;
  if (c.op !== "conv2d" || (args.groups ?? 1) !== 1 || typeof args.padding === "string") continue;
  if (c.inputs[0].shape.length !== 4) continue; // unbatched input: conv2d adds the batch dim first
  Deno.test(`conv2d weight gradient through im2col and matmul equals torch's: ${name}`, async () => {
    const [xf, wf] = c.inputs;
    const x = fromFixture(xf), w = fromFixture(wf);
    const g = conv2dGeometry(x, w, args as F.Conv2dOptions);
    const dw = weightGradByColumns(
      fromFixture(c.grad_output!),
      x,
      w,
      g,
    );
    await assertClose(dw, c.grads![1]!, `${name} dW`, { rtol: 1e-4, atol: 1e-4 });
  });
}
