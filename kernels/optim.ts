/**
 * Fused optimizer updates: one dispatch per parameter tensor does the whole step (weight decay,
 * moment updates, bias correction, the parameter write) in a single pass over its elements.
 *
 * Layout choice: parameters are separate device buffers owned by the model, and a kernel cannot
 * bind a view into another buffer, so a flat layout would mean copying every parameter and
 * gradient in and out of an arena, which costs more than the dispatches it saves.
 *
 * Everything that changes between steps (the element count, learning rate, momentum, betas, bias
 * corrections, flags) travels in `params: array<u32>`: slot 0 is the element count, the rest are
 * f32 bit patterns. The WGSL depends only on the variant (momentum on/off, AMSGrad, centered),
 * so schedulers changing the learning rate, and parameters of every size, share one pipeline per
 * variant. The flat index uses `num_workgroups`, so the grid is not baked in either.
 *
 * Bindings: the gradient (read), then the parameter and the state buffers (read_write), then
 * params.
 *
 * @module
 */
import type { KernelSpec } from "../src/device/device.ts";
import { grid1d } from "./_grid.ts";

const WG = 256;

/** Packs the element count and f32 hyperparameters into the `params` layout described above. */
export function optimParams(n: number, values: readonly number[]): Uint32Array {
  const out = new Uint32Array(values.length + 1);
  out[0] = n;
  new Float32Array(out.buffer, 4).set(values);
  return out;
}

function shell(key: string, n: number, states: readonly string[], body: string): KernelSpec {
  const bindings = [
    "@group(0) @binding(0) var<storage, read> grad: array<f32>;",
    "@group(0) @binding(1) var<storage, read_write> param: array<f32>;",
    ...states.map((s, k) =>
      `@group(0) @binding(${k + 2}) var<storage, read_write> ${s}: array<f32>;`
    ),
    `@group(0) @binding(${states.length + 2}) var<storage, read> params: array<u32>;`,
  ];
  const source = () =>
    `${bindings.join("\n")}
fn hp(k: u32) -> f32 { return bitcast<f32>(params[k]); }
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WG}u + lid;
  if (i >= params[0]) { return; }
  let p = param[i];
  ${body}
}
`;
  return { key, workgroups: grid1d(n, WG), source };
}

/** SGD variants: whether a momentum buffer is kept, and Nesterov's look-ahead. */
export interface SgdVariant {
  momentum: boolean;
  nesterov: boolean;
}

/**
 * SGD as torch 1.13's `_single_tensor_sgd`. Bind grad, param, then the momentum buffer when
 * `momentum`. Params: [n, lr, weightDecay, sign (-1 maximizes), momentum, 1 - dampening,
 * first (1 on the buffer's first step: it starts as a copy of the update, undamped)].
 */
export function sgdKernel(n: number, v: SgdVariant): KernelSpec {
  const lines = ["var d = hp(3u) * grad[i] + hp(2u) * p;"];
  if (v.momentum) {
    lines.push(
      "var b = d;",
      "if (hp(6u) == 0.0) { b = buf[i] * hp(4u) + hp(5u) * d; }",
      "buf[i] = b;",
      v.nesterov ? "d = d + hp(4u) * b;" : "d = b;",
    );
  }
  lines.push("param[i] = p - hp(1u) * d;");
  const key = `optim|sgd|momentum=${v.momentum}|nesterov=${v.nesterov}`;
  return shell(key, n, v.momentum ? ["buf"] : [], lines.join("\n  "));
}

/**
 * Adam and AdamW as torch 1.13's `_single_tensor_adam(w)`. Bind grad, param, exp_avg,
 * exp_avg_sq, then max_exp_avg_sq when `amsgrad`. Params: [n, stepSize (lr / (1 - beta1^t)),
 * sqrt(1 - beta2^t), eps, weightDecay added to the gradient (Adam), decay factor applied to the
 * parameter first (AdamW's 1 - lr * weightDecay, else 1), beta1, beta2, sign].
 */
export function adamKernel(n: number, amsgrad: boolean): KernelSpec {
  const lines = [
    "let q = p * hp(5u);",
    "let g = hp(8u) * grad[i] + hp(4u) * p;",
    "let m = expAvg[i] * hp(6u) + (1.0 - hp(6u)) * g;",
    "let v = expAvgSq[i] * hp(7u) + (1.0 - hp(7u)) * g * g;",
    "expAvg[i] = m;",
    "expAvgSq[i] = v;",
  ];
  if (amsgrad) lines.push("let vm = max(maxExpAvgSq[i], v);", "maxExpAvgSq[i] = vm;");
  lines.push(
    `let denom = sqrt(${amsgrad ? "vm" : "v"}) / hp(2u) + hp(3u);`,
    "param[i] = q - hp(1u) * (m / denom);",
  );
  const states = ["expAvg", "expAvgSq", ...(amsgrad ? ["maxExpAvgSq"] : [])];
  return shell(`optim|adam|amsgrad=${amsgrad}`, n, states, lines.join("\n  "));
}

/** RMSprop variants: centered (subtracts the squared mean gradient) and momentum. */
export interface RmspropVariant {
  centered: boolean;
  momentum: boolean;
}

/**
 * RMSprop as torch 1.13's `_single_tensor_rmsprop`. Bind grad, param, square_avg, then
 * momentum_buffer when `momentum`, then grad_avg when `centered`. Params: [n, lr, alpha, eps,
 * weightDecay, momentum, sign].
 */
export function rmspropKernel(n: number, v: RmspropVariant): KernelSpec {
  const lines = [
    "let g = hp(6u) * grad[i] + hp(4u) * p;",
    "let sq = squareAvg[i] * hp(2u) + (1.0 - hp(2u)) * g * g;",
    "squareAvg[i] = sq;",
  ];
  if (v.centered) {
    lines.push(
      "let ga = gradAvg[i] * hp(2u) + (1.0 - hp(2u)) * g;",
      "gradAvg[i] = ga;",
      "let avg = sqrt(sq - ga * ga) + hp(3u);",
    );
  } else lines.push("let avg = sqrt(sq) + hp(3u);");
  if (v.momentum) {
    lines.push("let b = buf[i] * hp(5u) + g / avg;", "buf[i] = b;", "param[i] = p - hp(1u) * b;");
  } else lines.push("param[i] = p - hp(1u) * (g / avg);");
  const states = ["squareAvg", ...(v.momentum ? ["buf"] : []), ...(v.centered ? ["gradAvg"] : [])];
  const key = `optim|rmsprop|centered=${v.centered}|momentum=${v.momentum}`;
  return shell(key, n, states, lines.join("\n  "));
}
