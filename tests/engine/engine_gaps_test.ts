/**
 * Engine paths no other fixture reached, against torch (tests/fixtures/engine_gaps.json, made by
 * gen_engine_gaps.py): max()/min() without a dim, clamp, eq/gt/lt, to(), squeeze/unsqueeze,
 * matmuls with K % 4 == 0, binary ops with one operand requiring grad, and the implicit-GEMM conv
 * kernels (each conv case also asserts which GEMM kernels it ran).
 */
import assert from "node:assert/strict";
import { F, type Tensor, tensor } from "../../mod.ts";
import { getDevice } from "../../src/device/default_device.ts";
import type { KernelSpec } from "../../src/device/device.ts";
import {
  assertClose,
  type FixtureCase,
  fromFixture,
  loadFixtures,
  type Tolerance,
} from "../_helpers.ts";

type OpFn = (inputs: Tensor[], args: Record<string, unknown>) => Tensor;

const operand = (inputs: Tensor[], args: Record<string, unknown>): Tensor | number =>
  typeof args.scalar === "number" ? args.scalar : inputs[1];
const dim = (a: Record<string, unknown>) => a.dim as number | undefined;

const OPS: Record<string, OpFn> = {
  max: ([x], a) => x.max(dim(a), a.keepdim as boolean),
  min: ([x], a) => x.min(dim(a), a.keepdim as boolean),
  max_min_expr: ([x]) => x.max().mul(x.sum()).add(x.min().mul(2)),
  mul_max: ([x, y]) => x.mul(y).max(),
  clamp: ([x], a) => x.clamp(a.min as number, a.max as number),
  clamp_mul_sum: ([x, w], a) => x.clamp(a.min as number, a.max as number).mul(w).sum(),
  eq: (xs, a) => xs[0].eq(operand(xs, a)),
  gt: (xs, a) => xs[0].gt(operand(xs, a)),
  lt: (xs, a) => xs[0].lt(operand(xs, a)),
  to: ([x], a) => x.to(a.dtype as "float32" | "int32"),
  to_mul_sum: ([x, w]) => x.to("float32").mul(w).sum(),
  squeeze: ([x], a) => x.squeeze(dim(a)),
  unsqueeze: ([x], a) => x.unsqueeze(a.dim as number),
  unsqueeze_mul: ([x, w], a) => x.unsqueeze(a.dim as number).mul(w),
  squeeze_mul: ([x, w], a) => x.squeeze(a.dim as number).mul(w),
  matmul: ([a, b]) => a.matmul(b),
  add: ([a, b]) => a.add(b),
  sub: ([a, b]) => a.sub(b),
  mul: ([a, b]) => a.mul(b),
  div: ([a, b]) => a.div(b),
  pow: ([a, b]) => a.pow(b),
  maximum: ([a, b]) => a.maximum(b),
  minimum: ([a, b]) => a.minimum(b),
  mul_self: ([x]) => x.mul(x),
  conv2d: ([x, w, b], a) => F.conv2d(x, w, b, a as F.Conv2dOptions),
};

/** torch gives bools; lumen's comparisons give float32 1.0 / 0.0 (documented on eq/gt/lt). */
const BOOL_RESULT = new Set(["eq", "gt", "lt"]);

// Sums of up to ~2000 float32 products (conv weight gradients), added in another order than torch.
const TOLERANCE: Record<string, Tolerance> = {
  conv2d: { rtol: 1e-4, atol: 2e-5 },
  matmul: { rtol: 1e-4, atol: 2e-5 },
};

async function checkCase(name: string, c: FixtureCase): Promise<void> {
  const fn = OPS[c.op];
  if (!fn) throw new Error(`no op "${c.op}" for fixture case ${name}`);
  const tol = TOLERANCE[c.op] ?? {};
  const inputs = c.inputs.map((t, i) => fromFixture(t, c.requires_grad[i]));
  const out = fn(inputs, c.args);
  await assertClose(out, c.output, `${name} forward`, tol);
  if (!BOOL_RESULT.has(c.op)) assert.equal(out.dtype, c.output.dtype, `${name} dtype`);
  assert.equal(out.requiresGrad, c.output_requires_grad, `${name} output requiresGrad`);
  if (!c.grad_output || !c.grads) return;
  out.backward(fromFixture(c.grad_output));
  for (let i = 0; i < inputs.length; i++) {
    const expected = c.grads[i];
    if (!expected) {
      assert.equal(inputs[i].grad, null, `${name}: input ${i} got a gradient torch does not give`);
      continue;
    }
    const grad = inputs[i].grad;
    if (!grad) throw new Error(`${name}: input ${i} got no gradient`);
    await assertClose(grad, expected, `${name} grad of input ${i}`, tol);
  }
}

const cases = await loadFixtures("engine_gaps");

const groups = new Map<string, [string, FixtureCase][]>();
for (const [name, c] of Object.entries(cases)) {
  if (c.op === "conv2d") continue;
  const list = groups.get(c.op) ?? [];
  list.push([name, c]);
  groups.set(c.op, list);
}
for (const [op, list] of groups) {
  Deno.test(`${op} matches torch (${list.length} cases: ${list.map(([n]) => n).join(", ")})`, async () => {
    for (const [name, c] of list) await checkCase(name, c);
  });
}

/**
 * The implicit-GEMM kernels each conv case must run ("dw/s2": the weight gradient split into 2
 * partial sums); the direct kernels take the rest. A case whose window the direct kernels learn
 * to take fails here, so that the GEMM kernels do not silently lose their coverage.
 */
const GEMM_KERNELS: Record<string, string[]> = {
  gemm_k8_pad2: ["fwd", "dx", "dw/s1"],
  gemm_k8_splits2: ["fwd", "dx", "dw/s2"],
  gemm_k7x8_splits8: ["fwd", "dx", "dw/s8"],
  gemm_dilation20: ["fwd", "dx", "dw/s1"],
  gemm_stride2_groups2: ["fwd", "dx", "dw/s1"],
  gemm_depthwise_k9: ["fwd", "dx", "dw/s1"],
  gemm_same_even_k8: ["fwd", "dx", "dw/s1"],
  gemm_many_out: ["fwd", "dx", "dw/s1"],
  // The strided input gradient splits into sub-pixel phases small enough for the direct kernels.
  gemm_wide_k1x50_stride3: ["fwd", "dw/s1"],
  gemm_stride3_k10_dil2: ["fwd", "dw/s1"],
  // No output pixels: only the weight gradient (all zeros) has anything to write.
  gemm_empty_batch: ["dw/s1"],
  gemm_x_only: ["fwd", "dx"],
  gemm_w_only: ["fwd", "dw/s1"],
};

/** Runs `fn`, returning the GEMM conv kernels it dispatched, as in GEMM_KERNELS. */
async function gemmKernelsOf(fn: () => Promise<void>): Promise<string[]> {
  const device = getDevice();
  const run = device.run;
  const seen: string[] = [];
  device.run = (kernel: KernelSpec, buffers) => {
    const m = kernel.key.match(/^conv2d_(fwd|dx|dw)\|.*?(?:\|s(\d+)\|.*)?$/);
    if (m) seen.push(m[1] === "dw" ? `dw/s${m[2]}` : m[1]);
    run.call(device, kernel, buffers);
  };
  try {
    await fn();
  } finally {
    device.run = run;
  }
  return seen;
}

for (const [name, c] of Object.entries(cases)) {
  if (c.op !== "conv2d") continue;
  Deno.test(`conv2d ${name} runs the implicit-GEMM kernels and matches torch`, async () => {
    const expected = GEMM_KERNELS[name];
    if (!expected) throw new Error(`no expected GEMM kernels for ${name}`);
    const seen = await gemmKernelsOf(() => checkCase(name, c));
    assert.deepEqual(seen, expected);
  });
}

Deno.test("max() and min() of an empty tensor, or over an empty dim, name the shape", () => {
  const empty = tensor([]);
  assert.throws(() => empty.max(), /max\(\) of an empty tensor of shape \[0\] has no value/);
  assert.throws(() => empty.min(), /min\(\) of an empty tensor of shape \[0\] has no value/);
  const rows = tensor(new Float32Array(0), { shape: [3, 0] });
  assert.throws(() => rows.max(1), /max\(\) over dim 1 of shape \[3,0\]: the dim is empty/);
});
