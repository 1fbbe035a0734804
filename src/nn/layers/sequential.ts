/** `nn.Sequential`: layers applied one after the other. */
import type { Tensor } from "../../tensor/tensor.ts";
import { Module } from "../module.ts";
import { checkOptions } from "../../util/options.ts";
import { Linear } from "./linear.ts";
import { ReLU } from "./activation.ts";

/** A module that maps a tensor to a tensor: what Sequential chains. */
export type TensorModule = Module<[Tensor], Tensor>;

/** Options of `nn.Sequential`. */
export interface SequentialOptions {
  /** The layers in order (named "0", "1", ...), or an object of named layers in order. */
  layers: readonly TensorModule[] | Readonly<Record<string, TensorModule>>;
}

/** Every option name of `SequentialOptions` (add a name here when adding an option above). */
const SEQUENTIAL_OPTIONS = ["layers"] as const satisfies readonly (keyof SequentialOptions)[];

/** An options object: a plain object (not a module), checked for unknown keys. */
function isOptions(v: unknown): v is SequentialOptions {
  if (!v || typeof v !== "object" || v instanceof Module) return false;
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  checkOptions("Sequential", v, SEQUENTIAL_OPTIONS);
  return true;
}

/**
 * Whether `layer` is a stock nn.Linear and `next` a stock nn.ReLU (neither subclassed with its own
 * `forward` or `call`), so that running them as one fused kernel changes nothing but speed.
 */
function isLinearThenRelu(layer: TensorModule, next: TensorModule | undefined): layer is Linear {
  return layer instanceof Linear && next instanceof ReLU &&
    layer.forward === Linear.prototype.forward && layer.call === Module.prototype.call &&
    next.forward === ReLU.prototype.forward && next.call === Module.prototype.call;
}

/**
 * Runs its layers in order. Build it from an options object (`{layers: [...]}`, as configs do) or
 * from the layers themselves; state-dict keys are `0.weight`, `1.bias`, ... as in PyTorch (or the
 * given names). A Linear directly followed by a ReLU runs as one kernel (`F.linear`'s
 * `activation`), with the same results.
 *
 * @example
 * ```ts
 * import { nn, randn } from "lumen";
 * const mlp = new nn.Sequential(
 *   new nn.Linear({ inFeatures: 4, outFeatures: 8 }),
 *   new nn.ReLU(),
 *   new nn.Linear({ inFeatures: 8, outFeatures: 2 }),
 * );
 * const same = new nn.Sequential({ layers: [new nn.Linear({ inFeatures: 4, outFeatures: 2 })] });
 * console.log(mlp.call(randn([3, 4])).shape, Object.keys(same.stateDict())); // [3, 2] ["0.weight", "0.bias"]
 * ```
 */
export class Sequential extends Module {
  #names: string[] = [];

  /** The layers in order, or one options object naming them (`{layers}`). */
  constructor(...layers: [SequentialOptions] | TensorModule[]) {
    super();
    let named: [string, unknown][];
    if (layers.length === 1 && isOptions(layers[0])) {
      const given = layers[0].layers;
      if (!given || typeof given !== "object") {
        throw new Error(
          `Sequential: layers must be an array or an object of modules, got ${given}`,
        );
      }
      named = Array.isArray(given) ? given.map((m, i) => [String(i), m]) : Object.entries(given);
    } else {
      named = (layers as unknown[]).map((m, i) => [String(i), m]);
    }
    for (const [name, m] of named) {
      if (!(m instanceof Module)) {
        const got = m === null ? "null" : typeof m === "object" ? m.constructor?.name : typeof m;
        throw new Error(`Sequential: layer '${name}' must be a Module, got ${got}`);
      }
      if (name in this) throw new Error(`Sequential: layer name '${name}' is taken`);
      this.registerModule(name, m);
      this.#names.push(name);
    }
  }

  /** Number of layers. */
  get length(): number {
    return this.#names.length;
  }

  /** The layer at `index` (negative counts from the end). */
  at(index: number): TensorModule | undefined {
    const name = this.#names.at(index);
    return name === undefined ? undefined : (this as unknown as Record<string, TensorModule>)[name];
  }

  /** The layers in order. */
  layers(): TensorModule[] {
    return this.#names.map((n) => (this as unknown as Record<string, TensorModule>)[n]);
  }

  /** Feeds `x` through each layer in turn (a Linear and the ReLU after it in one kernel). */
  forward(x: Tensor): Tensor {
    const layers = this.layers();
    let y = x;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      if (isLinearThenRelu(layer, layers[i + 1])) {
        y = layer.forwardActivated(y, "relu");
        i++;
      } else y = layer.call(y);
    }
    return y;
  }
}
