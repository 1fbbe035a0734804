/**
 * conv2d's GPU weight-gradient path (im2col, then the batched matmul summed over the batch; real
 * GPUs take it, llvmpipe keeps the direct kernel) against torch's weight gradients of every
 * ungrouped conv case in tests/fixtures/conv.json, run here directly on whatever adapter.
 */
import { weightGradByColumns } from "../../src/nn/functional/_conv2d_columns.ts";
import type { Conv2dGeometry } from "../../kernels/conv2d_geometry.ts";
import { assertClose, type FixtureCase, fromFixture, loadFixtures } from "../_helpers.ts";

const cases = await loadFixtures<Record<string, FixtureCase>>("conv");

/** torch's size rule, for one spatial dim. */
const outSize = (n: number, k: number, s: number, p: number, d: number) =>
  Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
const pairOf = (v: unknown, fallback: number): [number, number] =>
  v === undefined
    ? [fallback, fallback]
    : Array.isArray(v)
    ? [v[0], v[1]]
    : [v as number, v as number];

for (const [name, c] of Object.entries(cases)) {
  const args = c.args as Record<string, unknown>;
  if (c.op !== "conv2d" || (args.groups ?? 1) !== 1 || typeof args.padding === "string") continue;
  if (c.inputs[0].shape.length !== 4) continue; // unbatched input: conv2d adds the batch dim first
  Deno.test(`conv2d weight gradient through im2col and matmul equals torch's: ${name}`, async () => {
    const [xf, wf] = c.inputs;
    const [batch, inChannels, height, width] = xf.shape;
    const [outChannels, , kernelH, kernelW] = wf.shape;
    const [strideH, strideW] = pairOf(args.stride, 1);
    const [padH, padW] = pairOf(args.padding, 0);
    const [dilationH, dilationW] = pairOf(args.dilation, 1);
    const g: Conv2dGeometry = {
      batch,
      inChannels,
      height,
      width,
      outChannels,
      groups: 1,
      kernelH,
      kernelW,
      strideH,
      strideW,
      padH,
      padW,
      dilationH,
      dilationW,
      outH: outSize(height, kernelH, strideH, padH, dilationH),
      outW: outSize(width, kernelW, strideW, padW, dilationW),
    };
    const dw = weightGradByColumns(
      fromFixture(c.grad_output!),
      fromFixture(xf),
      fromFixture(wf),
      g,
    );
    await assertClose(dw, c.grads![1]!, `${name} dW`, { rtol: 1e-4, atol: 1e-4 });
  });
}
