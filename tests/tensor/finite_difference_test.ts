/**
 * Finite-difference checks of the fused backward rules: each derivative kernel against central
 * differences of its own forward kernel (float32, so step and tolerance are loose).
 */
import { type Tensor, tensor } from "../../mod.ts";

async function checkGradient(
  name: string,
  f: (x: Tensor) => Tensor,
  values: number[],
  eps = 1e-2,
  tol = 2e-2,
): Promise<void> {
  const x = tensor(values, { requiresGrad: true });
  f(x).sum().backward();
  const analytic = await x.grad!.data();
  for (let i = 0; i < values.length; i++) {
    const plus = [...values], minus = [...values];
    plus[i] += eps;
    minus[i] -= eps;
    const fp = await f(tensor(plus)).sum().item();
    const fm = await f(tensor(minus)).sum().item();
    const numeric = (fp - fm) / (2 * eps);
    if (Math.abs(numeric - analytic[i]) > tol * Math.max(1, Math.abs(numeric))) {
      throw new Error(`${name}: d/dx[${i}] analytic ${analytic[i]} vs numeric ${numeric}`);
    }
  }
}

const xs = [-2.5, -1.1, -0.3, 0.2, 0.7, 1.9, 3.3];
const positive = [0.3, 0.9, 1.7, 2.6, 4.1];

Deno.test("fused derivative kernels agree with finite differences", async () => {
  await checkGradient("gelu", (x) => x.gelu(), xs);
  await checkGradient("sigmoid", (x) => x.sigmoid(), xs);
  await checkGradient("tanh", (x) => x.tanh(), xs);
  await checkGradient("exp", (x) => x.exp(), xs, 1e-3);
  await checkGradient("log", (x) => x.log(), positive, 1e-3);
  await checkGradient("sqrt", (x) => x.sqrt(), positive, 1e-3);
  await checkGradient("pow 3 (negative base)", (x) => x.pow(3), xs, 1e-3);
  await checkGradient(
    "pow tensor exponent",
    (x) => tensor(positive).pow(x.mul(0.5)),
    positive,
    1e-3,
  );
  await checkGradient("div", (x) => tensor(positive).div(x), positive, 1e-3);
  await checkGradient("softmax·w", (x) => x.softmax(0).mul(tensor(xs)), xs, 1e-3);
  await checkGradient("logSoftmax·w", (x) => x.logSoftmax(0).mul(tensor(xs)), xs, 1e-3);
});
