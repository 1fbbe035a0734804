/**
 * The optimizer base: parameter groups (torch's `param_groups`), per-parameter state tensors,
 * `zeroGrad()` and state dicts. Subclasses describe each parameter's fused update; `step()`
 * batches the parameters that share a kernel variant and hyperparameters into as few dispatches
 * as the device's binding limit allows (multi-tensor apply).
 *
 * @module
 */
import { Tensor } from "../tensor/tensor.ts";
import { keep } from "../tensor/tidy.ts";
import { zeros } from "../tensor/creation.ts";
import { dispatchUpdates, type FusedUpdate } from "./_dispatch.ts";
import { camelCase, snakeCase } from "../util/case.ts";
import { assign } from "../ops/assign.ts";
import { empty, submit } from "../ops/_run.ts";

export type { FusedUpdate };

/** One parameter group: its tensors and the hyperparameters that apply to them. */
export type ParamGroup<H> = H & {
  /** The tensors this group updates. */
  params: Tensor[];
  /** Set by schedulers: the learning rate they started from. */
  initialLr?: number;
  /** Extra keys (schedulers add `maxLr`, `minLr`, ...; user groups may carry their own). */
  [extra: string]: unknown;
};

/** A parameter group as passed in: tensors plus optional overrides of the defaults. */
export type ParamGroupInput<H> = Partial<H> & {
  /** The tensors of this group. */
  params: Iterable<Tensor>;
  [extra: string]: unknown;
};

/** What an optimizer updates: tensors, or parameter groups with their own hyperparameters. */
export type ParamsInput<H> = Iterable<Tensor> | Iterable<ParamGroupInput<H>>;

/** The single-options-object form: `{params, lr, ...}`. */
export type OptimizerConfig<H> = Partial<H> & {
  /** Tensors or parameter groups to optimize. */
  params: ParamsInput<H>;
};

/**
 * An optimizer's constructor arguments, in either of its two forms: `(params, options?)`, tensors
 * or parameter groups then the defaults for every group, or one options object holding `params`
 * too (how a YAML config builds it).
 */
export type OptimizerArgs<H> =
  | [params: ParamsInput<H>, options?: Partial<H>]
  | [config: OptimizerConfig<H>];

/** State of one parameter: torch's names (`step`, `exp_avg`, `momentum_buffer`, ...). */
export type ParamState = Record<string, Tensor | number>;

/**
 * An optimizer's state dict, laid out as torch's: `state` maps a parameter's index (counting
 * through the groups in order) to its state, `param_groups` holds each group's hyperparameters
 * under torch's snake_case names with `params` as indices. The tensors are the live state
 * (torch does the same): save them before the next `step()`.
 */
export interface OptimizerStateDict {
  /** Per-parameter state by parameter index. */
  state: Record<number, ParamState>;
  /** Hyperparameters of each group, `params` as parameter indices. */
  param_groups: Record<string, unknown>[];
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && typeof value === "object" &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Tensor) return `a tensor of shape [${value.shape}]`;
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : typeof value;
}

/**
 * Splits the two constructor forms, `(params, options)` and `({params, ...options})`, and checks
 * option names against `defaults`.
 */
function optimizerArgs<H extends object>(
  name: string,
  defaults: H,
  args: OptimizerArgs<H>,
): { params: ParamsInput<H>; options: Partial<H> } {
  const [first, second] = args as [ParamsInput<H> | OptimizerConfig<H>, Partial<H>?];
  let params: ParamsInput<H>;
  let options: Partial<H>;
  if (isIterable(first)) {
    params = first as ParamsInput<H>;
    options = second ?? {};
  } else if (first && typeof first === "object" && "params" in first) {
    if (second !== undefined) {
      throw new TypeError(
        `${name} takes either (params, options) or one options object with 'params', got both`,
      );
    }
    const { params: p, ...rest } = first as OptimizerConfig<H>;
    params = p;
    options = rest as Partial<H>;
  } else {
    throw new TypeError(
      `${name} expects an array of tensors or parameter groups, or an options object with ` +
        `'params', got ${describe(first)}`,
    );
  }
  const known = Object.keys(defaults);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${name} has no option '${key}'; expected one of: params, ${known.join(", ")}`,
      );
    }
  }
  return { params, options };
}

/** Options of `Optimizer.step`. */
export interface OptimizerStepOptions {
  /** A one-element float32 flag (a GradScaler's): the step does nothing where it is non-zero. */
  skipIf?: Tensor;
}

/**
 * Base class of the optimizers. Each `step()` updates the parameters that have a gradient with
 * fused kernels, several parameters per dispatch; hyperparameters are read from each group at
 * every step, so schedulers (and any code writing `paramGroups[i].lr`) take effect at once
 * without compiling new kernels.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const w = tensor([1, 2, 3], { requiresGrad: true });
 * const opt: optim.Optimizer = new optim.SGD([w], { lr: 0.1 });
 * w.mul(w).sum().backward();
 * opt.step();
 * opt.zeroGrad();
 * console.log(await w.data()); // ≈ Float32Array(3) [0.8, 1.6, 2.4]
 * ```
 */
export abstract class Optimizer<H extends { lr: number } = { lr: number }> {
  /** The hyperparameters a group gets when it does not set its own. */
  readonly defaults: H;
  /** The parameter groups; schedulers set each group's `lr`. */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, created at a parameter's first step. */
  protected readonly state: Map<Tensor, ParamState> = new Map();

  /**
   * Reads either constructor form (`args`), checking option names against `defaults`, and builds
   * the groups, filling unset hyperparameters from the options, then from `defaults`. `name`
   * appears in error messages.
   */
  protected constructor(name: string, builtIn: H, ...args: OptimizerArgs<H>) {
    const { params, options } = optimizerArgs(name, builtIn, args);
    const defaults = { ...builtIn, ...options };
    this.defaults = defaults;
    const items = [...params] as (Tensor | ParamGroupInput<H>)[];
    if (items.length === 0) throw new Error(`${name} got an empty parameter list`);
    const groups: ParamGroupInput<H>[] = items.every((x) => x instanceof Tensor)
      ? [{ params: items as Tensor[] } as unknown as ParamGroupInput<H>]
      : items.map((g, i) => {
        if (g instanceof Tensor || !g || typeof g !== "object" || !isIterable(g.params)) {
          throw new TypeError(
            `${name}: parameter group ${i} must be an object with a 'params' array of ` +
              `tensors, got ${describe(g)}`,
          );
        }
        return g;
      });
    const seen = new Set<Tensor>();
    for (const input of groups) {
      const tensors = [...input.params];
      for (const t of tensors) {
        if (!(t instanceof Tensor)) {
          throw new TypeError(`${name} can only optimize tensors, got ${describe(t)}`);
        }
        if (t.dtype !== "float32") {
          throw new TypeError(`${name} can only optimize float32 tensors, got ${t.dtype}`);
        }
        if (seen.has(t)) {
          throw new Error(`${name}: some parameters appear in more than one parameter group`);
        }
        seen.add(t);
      }
      const group = { ...defaults, ...input, params: tensors } as ParamGroup<H>;
      for (const [k, v] of Object.entries(group)) {
        if (v === undefined && k in defaults) {
          (group as Record<string, unknown>)[k] = defaults[k as keyof H];
        }
      }
      this.validate(group);
      this.paramGroups.push(group);
    }
  }

  /** Throws on hyperparameters out of range (called for every group). */
  protected abstract validate(group: ParamGroup<H>): void;

  /**
   * Advances the state of one parameter that has a gradient and describes its fused update;
   * `step()` records it, batched with others of the same variant and hyperparameters.
   */
  protected abstract update(
    param: Tensor,
    grad: Tensor,
    group: ParamGroup<H>,
    state: ParamState,
  ): FusedUpdate;

  /**
   * Updates every parameter that has a gradient (those without one are skipped, as in torch),
   * then submits the recorded work. `skipIf` is a GradScaler's one-element overflow flag: where
   * it is set, the kernels leave parameters and state as they were (decided on the device).
   */
  step(options: OptimizerStepOptions = {}): void {
    const updates: FusedUpdate[] = [];
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (!g) continue;
        if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i])) {
          throw new Error(
            `The gradient of a parameter of shape [${p.shape}] has shape [${g.shape}]`,
          );
        }
        if (p.size === 0) continue;
        let state = this.state.get(p);
        if (!state) this.state.set(p, state = {});
        updates.push(this.update(p, g, group, state));
      }
    }
    dispatchUpdates(updates, options.skipIf);
    // A step ends here: submit, so the device works while the host prepares the next batch.
    submit();
  }

  /** Drops every parameter's gradient and frees its memory (torch's `set_to_none=True`). */
  zeroGrad(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }

  /**
   * The state tensor `name` of `param`, made at first use (zero-filled unless the kernel writes
   * it before reading) and kept out of `tidy` scopes.
   */
  protected buffer(state: ParamState, name: string, param: Tensor, zeroed = true): Tensor {
    const existing = state[name];
    if (existing instanceof Tensor) return existing;
    const t = keep(zeroed ? zeros(param.shape) : empty(param.shape));
    state[name] = t;
    return t;
  }

  /**
   * The state tensors `names` of `param`, and whether they are all new (`fresh`). Fresh ones are
   * left unfilled: the kernels read zero in their place on that first step (a `fresh` flag in
   * params), which saves one fill dispatch per buffer. Ones made beside existing state (say
   * AMSGrad switched on mid-training) are zero-filled, since that step's flag is off.
   */
  protected stateBuffers(
    state: ParamState,
    names: readonly string[],
    param: Tensor,
  ): { tensors: Tensor[]; fresh: boolean } {
    const fresh = names.every((n) => !(state[n] instanceof Tensor));
    return { tensors: names.map((n) => this.buffer(state, n, param, !fresh)), fresh };
  }

  /** The state as torch lays it out (see `OptimizerStateDict`). */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    const groups: Record<string, unknown>[] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const saved: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) {
        if (k !== "params") saved[snakeCase(k)] = Array.isArray(v) ? [...v] : v;
      }
      const indices: number[] = [];
      for (const p of group.params) {
        const s = this.state.get(p);
        if (s) state[index] = { ...s };
        indices.push(index++);
      }
      saved.params = indices;
      groups.push(saved);
    }
    return { state, param_groups: groups };
  }

  /**
   * Restores a state dict from `stateDict()`: group hyperparameters and copies of the state
   * tensors. The groups must have the same sizes as this optimizer's.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const saved = dict.param_groups;
    if (!Array.isArray(saved) || saved.length !== this.paramGroups.length) {
      throw new Error(
        `The state dict has ${saved?.length ?? 0} parameter groups, this optimizer has ` +
          `${this.paramGroups.length}`,
      );
    }
    saved.forEach((g, i) => {
      const n = Array.isArray(g.params) ? g.params.length : -1;
      if (n !== this.paramGroups[i].params.length) {
        throw new Error(
          `Parameter group ${i} of the state dict has ${n} parameters, this optimizer's has ` +
            `${this.paramGroups[i].params.length}`,
        );
      }
    });
    const params = this.paramGroups.flatMap((g) => g.params);
    const next = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(dict.state ?? {})) {
      const p = params[Number(key)];
      if (!p) {
        throw new Error(
          `The state dict has state for parameter ${key}, this optimizer has ${params.length}`,
        );
      }
      const copy: ParamState = {};
      for (const [name, value] of Object.entries(entry)) {
        if (value instanceof Tensor) {
          if (value.size !== p.size) {
            throw new Error(
              `State '${name}' of parameter ${key} has shape [${value.shape}], the parameter ` +
                `has shape [${p.shape}]`,
            );
          }
          copy[name] = keep(assign(empty(p.shape), value));
        } else copy[name] = value;
      }
      next.set(p, copy);
    }
    for (const s of this.state.values()) {
      for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    }
    this.state.clear();
    for (const [p, s] of next) this.state.set(p, s);
    saved.forEach((g, i) => {
      const group = this.paramGroups[i] as Record<string, unknown>;
      for (const [k, v] of Object.entries(g)) {
        if (k !== "params") group[camelCase(k)] = Array.isArray(v) ? [...v] : v;
      }
    });
  }
}
