/**
 * Fused optimizer updates ("multi-tensor apply"): one dispatch updates K parameter tensors at
 * once, doing the whole step (weight decay, moment updates, bias correction, the parameter write)
 * in a single pass over the concatenation of their elements.
 *
 * Layout choice: parameters are separate device buffers owned by the model, and a kernel cannot
 * bind a view into another buffer, so instead of copying everything into a flat arena the kernel
 * binds every tensor's buffers side by side and walks one flat index space over all K of them:
 * a thread finds its tensor from the start offsets and runs that tensor's copy of the update.
 * K is bounded by the device's storage buffers per shader stage (the optimizer picks it).
 *
 * Everything that changes between steps travels in `params: array<u32>`: slot 0 is the total
 * element count, slots 1..H the f32 bit patterns of the H hyperparameters (learning rate,
 * momentum, betas, bias corrections, flags), then the start offsets (u32) of tensors 1..K-1.
 * The WGSL depends only on the variant (momentum on/off, AMSGrad, centered) and on K, so
 * schedulers changing the learning rate, and tensors of every size, share one pipeline per
 * variant and K. The flat index uses `num_workgroups`, so the grid is not baked in either.
 *
 * Bindings, for each tensor in turn: its gradient (read), then its parameter and state buffers
 * (read_write); then, in the `skip` variants, the overflow flag of kernels/grad_scale.ts (read:
 * when raised the step leaves everything as it was, so mixed precision never waits for the host);
 * then params.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { grid1d } from "./_grid.ts";

const WG = 256;

/**
 * Packs the total element count, the f32 hyperparameters and the start offsets of tensors
 * 1..K-1 (from `sizes`, one per tensor; a single number means one tensor) into `params`.
 */
export function optimParams(
  sizes: number | readonly number[],
  values: readonly number[],
): Uint32Array {
  const list = sizeList(sizes);
  const out = new Uint32Array(1 + values.length + list.length - 1);
  new Float32Array(out.buffer, 4, values.length).set(values);
  let total = 0;
  list.forEach((n, k) => {
    if (k > 0) out[values.length + k] = total;
    total += n;
  });
  out[0] = total;
  return out;
}

/** `sizes` as a list: one number means one tensor. */
function sizeList(sizes: number | readonly number[]): readonly number[] {
  return typeof sizes === "number" ? [sizes] : sizes;
}

/** The body with tensor `k`'s binding names (`grad[` becomes `grad_k[`). */
function renamed(body: string, names: readonly string[], k: number): string {
  const re = new RegExp(`\\b(${names.join("|")})\\[`, "g");
  return body.replace(re, (_, name: string) => `${name}_${k}[`);
}

/**
 * The kernel over `sizes.length` tensors: `states` names the state buffers each tensor binds
 * after its parameter, `hyper` is how many hyperparameters follow the count in params, and
 * `body` updates element `i` of one tensor (`p` holds its parameter value).
 */
function shell(
  key: string,
  sizes: number | readonly number[],
  states: readonly string[],
  hyper: number,
  body: string,
  skip: Skip | null,
): KernelSpec {
  const list = sizeList(sizes);
  const count = list.length;
  if (count < 1) throw new RangeError("An optimizer kernel needs at least one tensor, got 0");
  const names = ["grad", "param", ...states];
  const bindings: string[] = [];
  for (let k = 0; k < count; k++) {
    names.forEach((name, b) => {
      const slot = k * names.length + b;
      const access = b === 0 ? "read" : "read_write";
      bindings.push(
        `@group(0) @binding(${slot}) var<storage, ${access}> ${name}_${k}: array<f32>;`,
      );
    });
  }
  const skipSlot = count * names.length;
  if (skip) {
    bindings.push(`@group(0) @binding(${skipSlot}) var<storage, read> skip: array<f32>;`);
  }
  bindings.push(
    `@group(0) @binding(${skipSlot + (skip ? 1 : 0)}) var<storage, read> params: array<u32>;`,
  );
  // A skipped first step still zeroes the state (unfilled buffers hold old memory), so the next
  // step, which no longer reads it as zero, starts from zero moments.
  const skipped = skip
    ? `if (skip[0] != 0.0) {\n    if (${skip.fresh}) {\n      ${
      states.map((s) => `${s}[i] = 0.0;`).join("\n      ")
    }\n    }\n    return;\n  }\n    `
    : "";
  const update = (k: number) => renamed(`${skipped}let p = param[i];\n    ${body}`, names, k);
  let dispatch: string;
  if (count === 1) dispatch = `let i = flat;\n    ${update(0)}`;
  else {
    // A thread's tensor is the last one whose start offset (params[hyper + t]) it has passed.
    const cases = Array.from(
      { length: count },
      (_, k) => `${k === count - 1 ? "default" : `case ${k}u`}: {\n    ${update(k)}\n  }`,
    );
    dispatch = `var t = 0u;
  var start = 0u;
  for (var s = 1u; s < ${count}u; s++) {
    let o = params[${hyper}u + s];
    if (flat >= o) { t = s; start = o; }
  }
  let i = flat - start;
  switch t {
  ${cases.join("\n  ")}
  }`;
  }
  const total = list.reduce((a, b) => a + b, 0);
  const source = () =>
    `${bindings.join("\n")}
fn hp(k: u32) -> f32 { return bitcast<f32>(params[k]); }
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let flat = (wid.y * nwg.x + wid.x) * ${WG}u + lid;
  if (flat >= params[0]) { return; }
  ${dispatch}
}
`;
  const skipKey = skip ? "|skip" : "";
  return { key: `${key}${skipKey}|k=${count}`, workgroups: grid1d(total, WG), source };
}

/** How a `skip` variant tells a first step (whose state it zeroes when skipped). */
interface Skip {
  /** WGSL bool: this is the state's first step. */
  fresh: string;
}

/** SGD variants: whether a momentum buffer is kept, and Nesterov's look-ahead. */
export interface SgdVariant {
  momentum: boolean;
  nesterov: boolean;
}

/**
 * SGD as torch 1.13's `_single_tensor_sgd`, over one tensor per entry of `sizes`. Bind, for each
 * tensor, grad, param, then the momentum buffer when `momentum`. Params: [n, lr, weightDecay,
 * sign (-1 maximizes), momentum, 1 - dampening, first (1 on the buffer's first step: it starts
 * as a copy of the update, undamped)], then the start offsets (see `optimParams`).
 */
export function sgdKernel(
  sizes: number | readonly number[],
  v: SgdVariant,
  skip = false,
): KernelSpec {
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
  const states = v.momentum ? ["buf"] : [];
  return shell(
    key,
    sizes,
    states,
    6,
    lines.join("\n    "),
    skip ? { fresh: "hp(6u) != 0.0" } : null,
  );
}

/**
 * Adam and AdamW as torch 1.13's `_single_tensor_adam(w)`, over one tensor per entry of `sizes`.
 * Bind, for each tensor, grad, param, exp_avg, exp_avg_sq, then max_exp_avg_sq when `amsgrad`.
 * Params: [n, stepSize (lr / (1 - beta1^t)), sqrt(1 - beta2^t), eps, weightDecay added to the
 * gradient (Adam), decay factor applied to the parameter first (AdamW's 1 - lr * weightDecay,
 * else 1), beta1, beta2, sign, fresh (1 on the first step: the moment buffers are unfilled and
 * read as zero)], then the start offsets (see `optimParams`).
 */
export function adamKernel(
  sizes: number | readonly number[],
  amsgrad: boolean,
  skip = false,
): KernelSpec {
  const lines = [
    "let q = p * hp(5u);",
    "let g = hp(8u) * grad[i] + hp(4u) * p;",
    // On the first step (hp(9) set) the moments are unfilled and read as zero.
    "let fresh = hp(9u) != 0.0;",
    "let m = select(expAvg[i], 0.0, fresh) * hp(6u) + (1.0 - hp(6u)) * g;",
    "let v = select(expAvgSq[i], 0.0, fresh) * hp(7u) + (1.0 - hp(7u)) * g * g;",
    "expAvg[i] = m;",
    "expAvgSq[i] = v;",
  ];
  if (amsgrad) {
    lines.push("let vm = max(select(maxExpAvgSq[i], 0.0, fresh), v);", "maxExpAvgSq[i] = vm;");
  }
  lines.push(
    `let denom = sqrt(${amsgrad ? "vm" : "v"}) / hp(2u) + hp(3u);`,
    "param[i] = q - hp(1u) * (m / denom);",
  );
  const states = ["expAvg", "expAvgSq", ...(amsgrad ? ["maxExpAvgSq"] : [])];
  const key = `optim|adam|amsgrad=${amsgrad}`;
  return shell(
    key,
    sizes,
    states,
    9,
    lines.join("\n    "),
    skip ? { fresh: "hp(9u) != 0.0" } : null,
  );
}

/** RMSprop variants: centered (subtracts the squared mean gradient) and momentum. */
export interface RmspropVariant {
  centered: boolean;
  momentum: boolean;
}

/**
 * RMSprop as torch 1.13's `_single_tensor_rmsprop`, over one tensor per entry of `sizes`. Bind,
 * for each tensor, grad, param, square_avg, then momentum_buffer when `momentum`, then grad_avg
 * when `centered`. Params: [n, lr, alpha, eps, weightDecay, momentum, sign, fresh (1 on the
 * first step: the state buffers are unfilled and read as zero)], then the start offsets (see
 * `optimParams`).
 */
export function rmspropKernel(
  sizes: number | readonly number[],
  v: RmspropVariant,
  skip = false,
): KernelSpec {
  const lines = [
    "let g = hp(6u) * grad[i] + hp(4u) * p;",
    // On the first step (hp(7) set) the state is unfilled and reads as zero.
    "let fresh = hp(7u) != 0.0;",
    "let sq = select(squareAvg[i], 0.0, fresh) * hp(2u) + (1.0 - hp(2u)) * g * g;",
    "squareAvg[i] = sq;",
  ];
  if (v.centered) {
    lines.push(
      "let ga = select(gradAvg[i], 0.0, fresh) * hp(2u) + (1.0 - hp(2u)) * g;",
      "gradAvg[i] = ga;",
      "let avg = sqrt(sq - ga * ga) + hp(3u);",
    );
  } else lines.push("let avg = sqrt(sq) + hp(3u);");
  if (v.momentum) {
    lines.push(
      "let b = select(buf[i], 0.0, fresh) * hp(5u) + g / avg;",
      "buf[i] = b;",
      "param[i] = p - hp(1u) * b;",
    );
  } else lines.push("param[i] = p - hp(1u) * (g / avg);");
  const states = ["squareAvg", ...(v.momentum ? ["buf"] : []), ...(v.centered ? ["gradAvg"] : [])];
  const key = `optim|rmsprop|centered=${v.centered}|momentum=${v.momentum}`;
  return shell(
    key,
    sizes,
    states,
    7,
    lines.join("\n    "),
    skip ? { fresh: "hp(7u) != 0.0" } : null,
  );
}
