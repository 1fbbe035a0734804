/**
 * `Freezer`: Lighter 0.0.5's callback that freezes parameters of `system.model` (by name or name
 * prefix) until a step or an epoch, then unfreezes them once.
 *
 * @module
 */
import type { AnyModule } from "../../nn/module.ts";
import type { System } from "../../system/system.ts";
import { checkOptions, closestNames } from "../../util/options.ts";
import type { TrainerView } from "../trainer_view.ts";
import { Callback } from "./callback.ts";
import { checkInt } from "./checks.ts";
import { pyStrRepr } from "./python_compat.ts";

/** One name or several. */
export type NameList = string | readonly string[];

/** Options of {@link Freezer} (Lighter's arguments in camelCase). */
export interface FreezerOptions {
  /** Parameter names to freeze, as `model.stateDict()` keys (`0.weight`); a `model.` prefix is accepted. */
  names?: NameList | null;
  /** Freeze every parameter whose name starts with one of these (`encoder.`). */
  nameStartsWith?: NameList | null;
  /** Parameter names kept trainable even when `names`/`nameStartsWith` match them. */
  exceptNames?: NameList | null;
  /** Name prefixes kept trainable even when `names`/`nameStartsWith` match them. */
  exceptNameStartsWith?: NameList | null;
  /** Unfreeze once the global step reaches this (optimizer steps; default: never). */
  untilStep?: number | null;
  /** Unfreeze once the epoch (from 0) reaches this (default: never). */
  untilEpoch?: number | null;
}

const OPTION_NAMES = [
  "names",
  "nameStartsWith",
  "exceptNames",
  "exceptNameStartsWith",
  "untilStep",
  "untilEpoch",
] as const satisfies readonly (keyof FreezerOptions)[];

const OWNER = "Freezer";

/** The prefix Lighter's docs put before parameter names (the System's attribute). */
const MODEL_PREFIX = "model.";

/** The four name lists, as checked against one model (a `model.` prefix removed where needed). */
interface Resolved {
  model: AnyModule;
  names: string[];
  nameStartsWith: string[];
  exceptNames: string[];
  exceptNameStartsWith: string[];
}

function nameList(key: keyof FreezerOptions, value: NameList | null | undefined): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== "string" || v === "")) {
    throw new TypeError(
      `${OWNER}: '${key}' must be a parameter name or a list of them (non-empty strings), got ` +
        `${JSON.stringify(value)}`,
    );
  }
  return [...list];
}

function untilValue(key: "untilStep" | "untilEpoch", value: unknown): number | null {
  return value === undefined || value === null ? null : checkInt(OWNER, key, value, 0);
}

/** `a, b, c, ... (N in all)`: the first names of a long list. */
function someNames(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown}, ... (${names.length} in all)` : shown;
}

/** Every dotted prefix of every name (`encoder`, `encoder.0`, `encoder.0.weight`). */
function dottedPrefixes(names: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    const parts = name.split(".");
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join("."));
  }
  return out;
}

/**
 * Freezes parameters of `system.model` as Lighter 0.0.5's `Freezer` does. At each batch start (in
 * every stage) it sets `requiresGrad = false` on the parameters that `names` or `nameStartsWith`
 * match, unless `exceptNames`/`exceptNameStartsWith` match them, and `requiresGrad = true` on all
 * the others. Once the global step reaches `untilStep` (or the epoch reaches `untilEpoch`) it
 * unfreezes them, once. A frozen parameter gets no gradient, and the optimizers skip parameters
 * without one, so its values stay exactly as they were.
 *
 * Names are those of `model.stateDict()` (no `model.` prefix; one is accepted and removed, as
 * Lighter's docs write names with it). A name or prefix that matches no parameter is an error
 * naming the closest parameter names (Lighter ignores it silently).
 *
 * @example
 * ```ts
 * import { callbacks, nn } from "lumen";
 * const model = new nn.Sequential({
 *   layers: [
 *     new nn.Linear({ inFeatures: 4, outFeatures: 8 }),
 *     new nn.ReLU(),
 *     new nn.Linear({ inFeatures: 8, outFeatures: 2 }),
 *   ],
 * });
 * const freezer = new callbacks.Freezer({ nameStartsWith: "model.0.", untilEpoch: 2 });
 * console.log(freezer.frozenNames(model)); // ["0.weight", "0.bias"]
 * ```
 */
export class Freezer extends Callback {
  /** Parameter names to freeze. */
  readonly names: readonly string[];
  /** Name prefixes to freeze. */
  readonly nameStartsWith: readonly string[];
  /** Names kept trainable. */
  readonly exceptNames: readonly string[];
  /** Prefixes kept trainable. */
  readonly exceptNameStartsWith: readonly string[];
  /** The global step that unfreezes, or null. */
  readonly untilStep: number | null;
  /** The epoch that unfreezes, or null. */
  readonly untilEpoch: number | null;

  #frozen = false;
  #resolved: Resolved | null = null;

  /** Checks the options (Lighter's errors for a missing selection or two limits). */
  constructor(options: FreezerOptions = {}) {
    super();
    checkOptions(OWNER, options, OPTION_NAMES);
    const o = options ?? {};
    if ((o.names ?? null) === null && (o.nameStartsWith ?? null) === null) {
      throw new Error("At least one of `names` or `name_starts_with` must be specified.");
    }
    const untilStep = untilValue("untilStep", o.untilStep);
    const untilEpoch = untilValue("untilEpoch", o.untilEpoch);
    if (untilStep !== null && untilEpoch !== null) {
      throw new Error("Only one of `until_step` or `until_epoch` can be specified.");
    }
    this.names = nameList("names", o.names);
    this.nameStartsWith = nameList("nameStartsWith", o.nameStartsWith);
    this.exceptNames = nameList("exceptNames", o.exceptNames);
    this.exceptNameStartsWith = nameList("exceptNameStartsWith", o.exceptNameStartsWith);
    this.untilStep = untilStep;
    this.untilEpoch = untilEpoch;
  }

  /** Whether the parameters are frozen now. */
  get frozen(): boolean {
    return this.#frozen;
  }

  /**
   * The names of the parameters of `model` that this freezer freezes (checking every name and
   * prefix against the model: an unknown one throws).
   */
  frozenNames(model: AnyModule): string[] {
    const r = this.#resolve(model);
    return [...model.namedParameters()].map(([name]) => name).filter((name) =>
      !this.#excepted(r, name) && this.#selected(r, name)
    );
  }

  /** Checks the names against `system.model` before the stage starts. */
  override setup(_trainer: TrainerView, system: System): void {
    this.#resolve(system.model);
  }

  /** Freezes or unfreezes before a training batch. */
  override onTrainBatchStart(trainer: TrainerView, system: System): void {
    this.#onBatchStart(trainer, system);
  }
  /** Freezes or unfreezes before a validation batch. */
  override onValidationBatchStart(trainer: TrainerView, system: System): void {
    this.#onBatchStart(trainer, system);
  }
  /** Freezes or unfreezes before a test batch. */
  override onTestBatchStart(trainer: TrainerView, system: System): void {
    this.#onBatchStart(trainer, system);
  }
  /** Freezes or unfreezes before a predict batch. */
  override onPredictBatchStart(trainer: TrainerView, system: System): void {
    this.#onBatchStart(trainer, system);
  }

  /** Lighter's `_on_batch_start`: unfreeze once past the limit, else freeze once. */
  #onBatchStart(trainer: TrainerView, system: System): void {
    const model = system.model;
    if (this.untilStep !== null && trainer.globalStep >= this.untilStep) {
      if (this.#frozen) {
        console.error(`Reached step ${this.untilStep} - unfreezing the previously frozen layers.`);
        this.#setRequiresGrad(model, true);
      }
      return;
    }
    if (this.untilEpoch !== null && trainer.currentEpoch >= this.untilEpoch) {
      if (this.#frozen) {
        console.error(
          `Reached epoch ${this.untilEpoch} - unfreezing the previously frozen layers.`,
        );
        this.#setRequiresGrad(model, true);
      }
      return;
    }
    if (!this.#frozen) this.#setRequiresGrad(model, false);
  }

  #setRequiresGrad(model: AnyModule, requiresGrad: boolean): void {
    const r = this.#resolve(model);
    const changed: string[] = [];
    for (const [name, param] of model.namedParameters()) {
      if (this.#excepted(r, name)) param.requiresGrad = true;
      else if (this.#selected(r, name)) {
        param.requiresGrad = requiresGrad;
        changed.push(name);
      } else param.requiresGrad = true;
    }
    this.#frozen = !requiresGrad;
    if (this.#frozen) {
      console.error(
        `Setting requires_grad=${requiresGrad ? "True" : "False"} the following layers` +
          (this.untilStep !== null ? ` until step ${this.untilStep}` : "") +
          (this.untilEpoch !== null ? ` until epoch ${this.untilEpoch}` : "") +
          `: [${changed.map(pyStrRepr).join(", ")}]`,
      );
    }
  }

  #excepted(r: Resolved, name: string): boolean {
    return r.exceptNames.includes(name) || r.exceptNameStartsWith.some((p) => name.startsWith(p));
  }

  #selected(r: Resolved, name: string): boolean {
    return r.names.includes(name) || r.nameStartsWith.some((p) => name.startsWith(p));
  }

  /** The name lists checked against `model` (cached for it). */
  #resolve(model: AnyModule): Resolved {
    if (this.#resolved?.model === model) return this.#resolved;
    const params = [...model.namedParameters()].map(([name]) => name);
    const known = new Set(params);
    const exact = (key: string, name: string): string => {
      if (known.has(name)) return name;
      const bare = name.startsWith(MODEL_PREFIX) ? name.slice(MODEL_PREFIX.length) : null;
      if (bare !== null && known.has(bare)) return bare;
      const near = closestNames(bare ?? name, params);
      throw new Error(
        `${OWNER}: '${name}' in '${key}' is not a parameter of system.model (names are its ` +
          `stateDict() keys). ${hint(near, params)}`,
      );
    };
    const prefix = (key: string, start: string): string => {
      if (params.some((n) => n.startsWith(start))) return start;
      const bare = start.startsWith(MODEL_PREFIX) ? start.slice(MODEL_PREFIX.length) : null;
      if (bare !== null && params.some((n) => n.startsWith(bare))) return bare;
      const near = closestNames(bare ?? start, dottedPrefixes(params));
      throw new Error(
        `${OWNER}: no parameter of system.model has a name starting with '${start}' (in ` +
          `'${key}'). ${hint(near, params)}`,
      );
    };
    this.#resolved = {
      model,
      names: this.names.map((n) => exact("names", n)),
      nameStartsWith: this.nameStartsWith.map((p) => prefix("nameStartsWith", p)),
      exceptNames: this.exceptNames.map((n) => exact("exceptNames", n)),
      exceptNameStartsWith: this.exceptNameStartsWith.map((p) => prefix("exceptNameStartsWith", p)),
    };
    return this.#resolved;
  }
}

function hint(near: readonly string[], params: readonly string[]): string {
  if (near.length) return `Closest parameter names: ${near.map((n) => `'${n}'`).join(", ")}`;
  return params.length ? `Its parameters: ${someNames(params)}` : "The model has no parameters";
}
