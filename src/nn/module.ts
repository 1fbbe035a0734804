/**
 * `Module`: the base of every layer and model, with PyTorch's bookkeeping (parameters, buffers,
 * submodules, state dicts, train/eval).
 *
 * Parameters and buffers are registered by name (`registerParameter`, `registerBuffer`); the name
 * is the state-dict key and also becomes a property of the module (`linear.weight`). Submodules
 * are found from the module's own properties (`this.fc1 = new Linear(...)`), in the order they
 * were assigned, so a model class needs no registration calls for its layers.
 *
 * @module
 */
import type { Tensor } from "../tensor/tensor.ts";
import { assign } from "../ops/assign.ts";
import { keep } from "../tensor/scope.ts";
import { fused } from "../ops/fusion.ts";

/**
 * Any module, whatever its inputs and output: the element type of traversals. To run one, narrow
 * it first (`m instanceof nn.Linear`), since its inputs are not known here.
 */
export type AnyModule = Module<never, unknown>;

/** What `loadStateDict` reports: keys the module has that the dict lacks, and the reverse. */
export interface LoadStateDictResult {
  /** Keys of the module absent from the dict. */
  missingKeys: string[];
  /** Keys of the dict the module does not have. */
  unexpectedKeys: string[];
}

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions {
  /** Throw when keys are missing or unexpected (default true); shape errors always throw. */
  strict?: boolean;
}

function isModule(v: unknown): v is AnyModule {
  return v instanceof Module;
}

/**
 * The base class of layers and models. Subclasses register parameters and buffers in their
 * constructor, assign submodules to properties, and implement `forward`. Call a module with
 * `module.call(x)` (the same as `module.forward(x)`; JavaScript objects cannot be made callable
 * without a proxy, so `call` is the one documented entry point).
 *
 * @example
 * ```ts
 * import { nn, randn, type Tensor } from "lumen";
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear({ inFeatures: 4, outFeatures: 8 });
 *   fc2 = new nn.Linear({ inFeatures: 8, outFeatures: 2 });
 *   forward(x: Tensor): Tensor {
 *     return this.fc2.call(this.fc1.call(x).relu());
 *   }
 * }
 * const net = new Net();
 * console.log(Object.keys(net.stateDict())); // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
 * console.log(net.call(randn([3, 4])).shape); // [3, 2]
 * ```
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** Whether the module is in training mode (`train()`) or evaluation mode (`eval()`). */
  training = true;
  /** Set by `compile()`: `call` runs `forward` with elementwise chains fused. */
  compiled = false;
  #parameters = new Map<string, Tensor | null>();
  #buffers = new Map<string, Tensor | null>();
  #nonPersistent = new Set<string>();

  /** The computation; subclasses implement it. */
  abstract forward(...inputs: In): Out;

  /**
   * Runs `forward`: `model.call(x)` is how a module is applied. A compiled module (`compile()`)
   * runs it inside `fused`, so its elementwise chains become single kernels.
   */
  call(...inputs: In): Out {
    return this.compiled ? fused(() => this.forward(...inputs)) : this.forward(...inputs);
  }

  /**
   * Adds a parameter (or a `null` placeholder, like a disabled bias) under `name`; the tensor is
   * marked `requiresGrad` and is readable as `this[name]`.
   */
  registerParameter(name: string, value: Tensor | null): Tensor | null {
    this.#checkName(name, this.#buffers, "buffer");
    if (value) {
      value.requiresGrad = true;
      keep(value); // Parameters outlive any `tidy` scope the module is built in.
    }
    this.#parameters.set(name, value);
    this.#defineSlot(name, this.#parameters);
    return value;
  }

  /**
   * Adds a buffer: state saved in the state dict but not trained (BatchNorm's running statistics).
   * `persistent: false` keeps it out of the state dict.
   */
  registerBuffer(name: string, value: Tensor | null, persistent = true): Tensor | null {
    this.#checkName(name, this.#parameters, "parameter");
    if (value) keep(value);
    this.#buffers.set(name, value);
    if (persistent) this.#nonPersistent.delete(name);
    else this.#nonPersistent.add(name);
    this.#defineSlot(name, this.#buffers);
    return value;
  }

  /** Adds a submodule under `name` (the same as assigning it to a property). */
  registerModule(name: string, module: AnyModule): AnyModule {
    if (!isModule(module)) {
      throw new TypeError(`registerModule('${name}') expects a Module, got ${typeof module}`);
    }
    (this as Record<string, unknown>)[name] = module;
    return module;
  }

  /** The parameter registered as `name` (null when a placeholder); throws when there is none. */
  getParameter(name: string): Tensor | null {
    if (!this.#parameters.has(name)) {
      throw new Error(`${this.constructor.name} has no parameter '${name}'`);
    }
    return this.#parameters.get(name)!;
  }

  /** The buffer registered as `name`; throws when there is none. */
  getBuffer(name: string): Tensor | null {
    if (!this.#buffers.has(name)) {
      throw new Error(`${this.constructor.name} has no buffer '${name}'`);
    }
    return this.#buffers.get(name)!;
  }

  #checkName(name: string, other: Map<string, unknown>, kind: string): void {
    if (!name || name.includes(".")) {
      throw new Error(`A parameter or buffer name must be non-empty without '.', got '${name}'`);
    }
    if (other.has(name)) {
      throw new Error(`${this.constructor.name} already has a ${kind} named '${name}'`);
    }
  }

  // A non-enumerable accessor: `this.weight` reads and writes the registry, and traversals that
  // look for submodules among the enumerable properties never see it.
  #defineSlot(name: string, store: Map<string, Tensor | null>): void {
    const owner = this.constructor.name;
    Object.defineProperty(this, name, {
      configurable: true,
      enumerable: false,
      get: () => store.get(name) ?? null,
      set: (v: unknown) => {
        if (v !== null && !(v && typeof v === "object" && "shape" in v && "dtype" in v)) {
          throw new TypeError(`${owner}.${name} must be a Tensor or null, got ${typeof v}`);
        }
        if (v) {
          keep(v as Tensor);
          if (store === this.#parameters) (v as Tensor).requiresGrad = true;
        }
        store.set(name, v as Tensor | null);
      },
    });
  }

  /** Direct submodules with their property names, in assignment order. */
  *namedChildren(): IterableIterator<[string, AnyModule]> {
    for (const [name, value] of Object.entries(this)) {
      if (isModule(value)) yield [name, value];
    }
  }

  /** Direct submodules. */
  *children(): IterableIterator<AnyModule> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every submodule, depth first, with dotted names ("" for this one). */
  *namedModules(
    prefix = "",
    seen: Set<AnyModule> = new Set(),
  ): IterableIterator<[string, AnyModule]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) {
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
    }
  }

  /** This module and every submodule, depth first. */
  *modules(): IterableIterator<AnyModule> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters with dotted names (`block.0.weight`); a tensor shared by two layers appears once. */
  *namedParameters(recurse = true): IterableIterator<[string, Tensor]> {
    yield* this.#namedEntries((m) => m.#parameters, recurse, false);
  }

  /** The parameters, for an optimizer. */
  parameters(recurse = true): Tensor[] {
    return [...this.namedParameters(recurse)].map(([, t]) => t);
  }

  /** Buffers with dotted names (non-persistent ones included). */
  *namedBuffers(recurse = true): IterableIterator<[string, Tensor]> {
    yield* this.#namedEntries((m) => m.#buffers, recurse, false);
  }

  /** The buffers. */
  buffers(recurse = true): Tensor[] {
    return [...this.namedBuffers(recurse)].map(([, t]) => t);
  }

  *#namedEntries(
    pick: (m: AnyModule) => Map<string, Tensor | null>,
    recurse: boolean,
    persistentOnly: boolean,
  ): IterableIterator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, AnyModule]> = recurse ? this.namedModules() : [["", this]];
    for (const [prefix, m] of mods) {
      for (const [name, t] of pick(m)) {
        if (!t || seen.has(t)) continue;
        if (persistentOnly && m.#nonPersistent.has(name)) continue;
        seen.add(t);
        yield [prefix ? `${prefix}.${name}` : name, t];
      }
    }
  }

  /**
   * Parameters and persistent buffers by PyTorch key (`fc1.weight`, `bn.running_mean`). The values
   * are the module's live tensors, not copies: save them, or `clone()` to keep a snapshot.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, m] of this.namedModules()) {
      const add = (name: string, t: Tensor | null) => {
        if (t) out[prefix ? `${prefix}.${name}` : name] = t;
      };
      for (const [name, t] of m.#parameters) add(name, t);
      for (const [name, t] of m.#buffers) if (!m.#nonPersistent.has(name)) add(name, t);
    }
    return out;
  }

  /**
   * Copies values from `dict` into the module's parameters and buffers, in place (an optimizer
   * made earlier keeps working). Shapes and dtypes must match; with `strict` (the default) the
   * keys must match too. Returns the missing and unexpected keys.
   */
  loadStateDict(
    dict: Readonly<Record<string, Tensor>>,
    options: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in dict));
    const unexpectedKeys = Object.keys(dict).filter((k) => !(k in own));
    if ((options.strict ?? true) && (missingKeys.length || unexpectedKeys.length)) {
      const parts = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(", ")}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
      throw new Error(`loadStateDict() into ${this.constructor.name} failed; ${parts.join("; ")}`);
    }
    for (const [key, target] of Object.entries(own)) {
      const source = dict[key];
      if (!source) continue;
      const same = source.shape.length === target.shape.length &&
        source.shape.every((d, i) => d === target.shape[i]);
      if (!same) {
        throw new Error(
          `loadStateDict(): '${key}' has shape [${source.shape}], the module expects [${target.shape}]`,
        );
      }
      if (source.dtype !== target.dtype) {
        throw new Error(
          `loadStateDict(): '${key}' has dtype ${source.dtype}, the module expects ${target.dtype}`,
        );
      }
    }
    for (const [key, target] of Object.entries(own)) {
      const source = dict[key];
      if (source && source !== target) assign(target, source);
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Sets training mode on this module and every submodule; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode (`train(false)`): dropout off, BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Compile mode (torch's `nn.Module.compile()`; configs say `compile: true`, as the seeds'
   * `system::model::compile=true`); returns this. From then on `call` runs `forward` inside
   * `fused`: chains of elementwise ops (`x.mul(2).add(1).exp()`, an activation after a bias, their
   * derivative rules in backward) are recorded lazily and run as one generated kernel each, with
   * the values of the unfused ops. Other kernels (matmul, conv, reductions) are unchanged.
   *
   * @example
   * ```ts
   * import { deviceStats, nn, type Tensor, tensor } from "lumen";
   * class Swish extends nn.Module {
   *   forward(x: Tensor): Tensor {
   *     return x.mul(x.sigmoid());
   *   }
   * }
   * const x = tensor([1, 2]);
   * const dispatches = async (model: Swish) => {
   *   const before = deviceStats().dispatches;
   *   await model.call(x).data();
   *   return deviceStats().dispatches - before;
   * };
   * const compiled = new Swish().compile();
   * console.log(compiled.compiled, await dispatches(new Swish()), await dispatches(compiled)); // true 2 1
   * ```
   */
  compile(): this {
    this.compiled = true;
    return this;
  }

  /** Calls `fn` on every submodule, then on this module (as PyTorch's `apply`); returns this. */
  apply(fn: (module: AnyModule) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Frees and clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Frees the device memory of every parameter, gradient and buffer. */
  dispose(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.dispose();
    }
    for (const b of this.buffers()) b.dispose();
  }

  /** The layer's settings for `toString`, e.g. "in_features=4, out_features=2". */
  extraRepr(): string {
    return "";
  }

  /** A PyTorch-style description of the module tree. */
  toString(): string {
    const children = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (!children.length) return `${head})`;
    const lines = children.map(([name, m]) => `  (${name}): ${String(m).replaceAll("\n", "\n  ")}`);
    return `${head}\n${lines.join("\n")}\n)`;
  }
}
