/**
 * Kernel lines that no other test ran (found by tests/coverage/kernel_coverage.ts): the NaN
 * literal of kernels/_grid.ts against torch (tests/fixtures/kernel_coverage.json, made by
 * gen_kernel_coverage.py), the bound on kernels/elementwise.ts's expression cache, and the kernel
 * builders' own argument checks, which lumen's ops never trip (they guard the kernel layer's
 * callers).
 */
import assert from "node:assert/strict";
import { full, tensor } from "../../mod.ts";
import { convGemmKernel } from "../../kernels/conv_gemm.ts";
import { elementwiseKernel } from "../../kernels/elementwise.ts";
import { im2colKernel } from "../../kernels/im2col.ts";
import { crossEntropyBackwardKernel } from "../../kernels/loss.ts";
import { sgdKernel } from "../../kernels/optim.ts";
import { assertClose, loadFixtures } from "../_helpers.ts";

/** A fixture tensor whose NaN values are written as null. */
interface NullableTensor {
  shape: number[];
  data: (number | null)[];
}

interface Cases {
  full_nan: { shape: number[]; output: NullableTensor };
  full_nan_add: { input: NullableTensor; output: NullableTensor };
  full_nan_sum_rows: { shape: number[]; output: NullableTensor };
}

const values = (t: NullableTensor): number[] => t.data.map((v) => v ?? NaN);

Deno.test("full(shape, NaN) fills with NaN, as torch.full; NaN propagates through add and sum", async () => {
  const c = await loadFixtures<Cases>("kernel_coverage");
  const filled = full(c.full_nan.shape, NaN);
  assert.deepEqual(filled.shape, c.full_nan.output.shape);
  const got = Array.from(await filled.data());
  assert.ok(got.every(Number.isNaN), `full(NaN) gave ${got}`);
  await assertClose(filled, values(c.full_nan.output), "full(NaN)");

  const x = tensor(values(c.full_nan_add.input));
  const sum = full([3], NaN).add(x);
  await assertClose(sum, values(c.full_nan_add.output), "full(NaN) + x");
  assert.ok(Array.from(await sum.data()).every(Number.isNaN));

  const rows = full(c.full_nan_sum_rows.shape, NaN).sum(1);
  assert.deepEqual(rows.shape, c.full_nan_sum_rows.output.shape);
  await assertClose(rows, values(c.full_nan_sum_rows.output), "full(NaN).sum(1)");
});

Deno.test("kernel builders reject arguments lumen's ops never pass", () => {
  assert.throws(
    () => sgdKernel([], { momentum: false, nesterov: false }),
    { name: "RangeError", message: "An optimizer kernel needs at least one tensor, got 0" },
  );
  const classIndices = {
    outer: 2,
    classes: 3,
    inner: 1,
    labelSmoothing: 0,
    probTarget: false,
    ignoreIndex: -100,
    hasWeight: false,
  };
  assert.throws(
    () => crossEntropyBackwardKernel(classIndices, "mean", true),
    /Class-index targets have no gradient/,
  );
  // More conv groups than one grid dimension holds (65,535).
  const parts = { key: "t", m: 4, n: 4, k: 4, splits: 1, bindings: "", functions: "" };
  assert.throws(
    () => convGemmKernel({ ...parts, zCount: 70_000 }),
    /Convolution is too large for one dispatch: 1 tiles, 70000 groups/,
  );
  assert.equal(convGemmKernel({ ...parts, zCount: 65_535 }).workgroups[2], 65_535);
  // im2col lays out one group's columns: grouped convolutions go through the other kernels.
  const geometry = {
    batch: 1,
    inChannels: 4,
    height: 5,
    width: 5,
    outChannels: 4,
    outH: 5,
    outW: 5,
    kernelH: 3,
    kernelW: 3,
    strideH: 1,
    strideW: 1,
    padH: 1,
    padW: 1,
    dilationH: 1,
    dilationW: 1,
  };
  assert.throws(
    () => im2colKernel({ ...geometry, groups: 2 }),
    /im2col handles ungrouped convolutions only/,
  );
  assert.deepEqual(im2colKernel({ ...geometry, groups: 1 }).workgroups, [4, 1, 1]);
});

Deno.test("elementwise kernels past 4096 expressions: the coordinates cache is cleared, not wrong", () => {
  const spec = (expr: string) => ({
    expr,
    inputs: [{ dtype: "float32" as const, strides: [3, 1] }],
    outShape: [2, 3],
    outDtype: "float32" as const,
    computeType: "float32" as const,
  });
  // An expression reading the coordinates binds the output's dims after the count; one that
  // does not binds the count only (its input is contiguous, read at the flat index).
  const before = [elementwiseKernel(spec("f32(c1) * x0")), elementwiseKernel(spec("x0 * 2.0"))];
  assert.deepEqual(before.map((k) => Array.from(k.params!)), [[6, 2, 3], [6]]);
  for (let k = 0; k < 4100; k++) elementwiseKernel(spec(`x0 + ${k}.0`));
  const after = [elementwiseKernel(spec("f32(c1) * x0")), elementwiseKernel(spec("x0 * 2.0"))];
  assert.deepEqual(after.map((k) => Array.from(k.params!)), [[6, 2, 3], [6]]);
  assert.deepEqual(after.map((k) => k.key), before.map((k) => k.key));
});
