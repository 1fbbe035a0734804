/** `nn.ModuleList`: a list of submodules that registers them (state-dict keys `0.weight`, ...). */
import { type AnyModule, Module } from "../module.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `nn.ModuleList`. */
export interface ModuleListOptions {
  /** The modules, registered under "0", "1", ... */
  modules: readonly AnyModule[];
}

/** Every option name of `ModuleListOptions` (add a name here when adding an option above). */
const MODULE_LIST_OPTIONS = ["modules"] as const satisfies readonly (keyof ModuleListOptions)[];

/**
 * Holds submodules in a list so that their parameters, state dict and train/eval mode follow the
 * owner (a plain array property is not seen). It has no `forward`: iterate over it.
 *
 * @example
 * ```ts
 * import { nn, randn, type Tensor } from "lumen";
 * class Tower extends nn.Module {
 *   blocks = new nn.ModuleList([1, 2, 3].map(() => new nn.Linear({ inFeatures: 4, outFeatures: 4 })));
 *   forward(x: Tensor): Tensor {
 *     for (const block of this.blocks) x = (block as nn.Linear).call(x).relu();
 *     return x;
 *   }
 * }
 * const tower = new Tower();
 * console.log(tower.call(randn([2, 4])).shape, Object.keys(tower.stateDict())[0]);
 * // [2, 4] blocks.0.weight
 * ```
 */
export class ModuleList extends Module<[], never> implements Iterable<AnyModule> {
  #count = 0;

  /** The modules, or one options object holding them (`{modules}`). */
  constructor(modules: readonly AnyModule[] | ModuleListOptions = []) {
    super();
    if (!Array.isArray(modules)) checkOptions("ModuleList", modules, MODULE_LIST_OPTIONS);
    const list = Array.isArray(modules) ? modules : (modules as ModuleListOptions).modules;
    if (!Array.isArray(list)) {
      throw new Error(`ModuleList: modules must be an array of modules, got ${typeof list}`);
    }
    for (const m of list) this.push(m);
  }

  /** Appends a module under the next index. */
  push(module: AnyModule): this {
    if (!(module instanceof Module)) {
      throw new Error(`ModuleList: item ${this.#count} must be a Module, got ${typeof module}`);
    }
    this.registerModule(String(this.#count++), module);
    return this;
  }

  /** Number of modules. */
  get length(): number {
    return this.#count;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): AnyModule | undefined {
    const i = index < 0 ? this.#count + index : index;
    if (i < 0 || i >= this.#count) return undefined;
    return (this as unknown as Record<string, AnyModule>)[String(i)];
  }

  /** The modules in order. */
  *[Symbol.iterator](): IterableIterator<AnyModule> {
    for (let i = 0; i < this.#count; i++) yield this.at(i)!;
  }

  /** A ModuleList is a container: calling it is an error that says what to do instead. */
  forward(): never {
    throw new Error("ModuleList has no forward(); iterate over it and call each module");
  }
}
