/** Every core tensor op against torch: forward values and gradients (tests/fixtures/tensor.json). */
import { type Tensor, tensor } from "../../mod.ts";
import {
  assertClose,
  assertGradsMatch,
  type FixtureCase,
  fromFixture,
  loadFixtures,
} from "../_helpers.ts";

type OpFn = (inputs: Tensor[], args: Record<string, unknown>) => Tensor;

const operand = (inputs: Tensor[], args: Record<string, unknown>): Tensor | number =>
  typeof args.scalar === "number" ? args.scalar : inputs[1];

const OPS: Record<string, OpFn> = {
  neg: ([x]) => x.neg(),
  exp: ([x]) => x.exp(),
  log: ([x]) => x.log(),
  sqrt: ([x]) => x.sqrt(),
  abs: ([x]) => x.abs(),
  relu: ([x]) => x.relu(),
  sigmoid: ([x]) => x.sigmoid(),
  tanh: ([x]) => x.tanh(),
  gelu: ([x]) => x.gelu(),
  add: (xs, a) => xs[0].add(operand(xs, a)),
  sub: (xs, a) => xs[0].sub(operand(xs, a)),
  mul: (xs, a) => xs[0].mul(operand(xs, a)),
  div: (xs, a) => xs[0].div(operand(xs, a)),
  pow: (xs, a) => xs[0].pow(operand(xs, a)),
  maximum: ([a, b]) => a.maximum(b),
  minimum: ([a, b]) => a.minimum(b),
  matmul: ([a, b]) => a.matmul(b),
  transpose: ([x], a) => x.transpose(...(a.dims as [number, number])),
  permute: ([x], a) => x.permute(a.dims as number[]),
  reshape_mul: ([x], a) => x.reshape(a.shape as number[]).mul(tensor([0, 1, 2, 3, 4, 5])),
  sum: ([x], a) => x.sum(a.dim as number | number[] | undefined, a.keepdim as boolean),
  mean: ([x], a) => x.mean(a.dim as number | number[] | undefined, a.keepdim as boolean),
  max: ([x], a) => x.max(a.dim as number | undefined, a.keepdim as boolean),
  min: ([x], a) => x.min(a.dim as number | undefined, a.keepdim as boolean),
  argmax: ([x], a) => x.argmax(a.dim as number | undefined, a.keepdim as boolean),
  softmax: ([x], a) => x.softmax(a.dim as number),
  logSoftmax: ([x], a) => x.logSoftmax(a.dim as number),
  chain: ([a, b]) => a.matmul(b).tanh().mul(a.sum(1, true)).sigmoid().sub(b.mean()).pow(2).sum(),
};

async function checkCase(name: string, c: FixtureCase): Promise<void> {
  const fn = OPS[c.op];
  if (!fn) throw new Error(`no op "${c.op}" for fixture case ${name}`);
  const inputs = c.inputs.map((t, i) => fromFixture(t, c.requires_grad[i]));
  const out = fn(inputs, c.args);
  await assertClose(out, c.output, `${name} forward`);
  await assertGradsMatch(name, c, inputs, out);
}

const cases = await loadFixtures("tensor");
const groups = new Map<string, [string, FixtureCase][]>();
for (const [name, c] of Object.entries(cases)) {
  const list = groups.get(c.op) ?? [];
  list.push([name, c]);
  groups.set(c.op, list);
}
for (const [op, list] of groups) {
  Deno.test(`${op} matches torch (${list.length} cases)`, async () => {
    for (const [name, c] of list) await checkCase(name, c);
  });
}
