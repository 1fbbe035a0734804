/**
 * The `Config` class: load and compose YAML files, apply CLI overrides, read raw values and
 * resolve them.
 *
 * @module
 */

import { stringifyYaml } from "../deps.ts";
import { ConfigError, ConfigFileError } from "./errors.ts";
import { applyLayer } from "./merge.ts";
import { type Override, parseOverride, setPath } from "./overrides.ts";
import { preprocess } from "./preprocess.ts";
import { Resolver } from "./resolve.ts";
import { validateRunnerConfig } from "./schema.ts";
import { importProject, loadLumen } from "./scope.ts";
import {
  deleteChildren,
  type Dict,
  hasChild,
  isContainer,
  isDict,
  locate,
  lookup,
  splitId,
} from "./tree.ts";
import { loadConfigFile } from "./yaml_load.ts";

/**
 * What {@link Config.load} reads: a path, a comma-joined list of paths (`base.yaml,ft.yaml`), an
 * array of paths, or a plain object.
 *
 * @example
 * ```ts
 * import type { ConfigSource } from "lumen";
 * const sources: ConfigSource[] = ["a.yaml,b.yaml", ["a.yaml", "b.yaml"], { trainer: {} }];
 * ```
 */
export type ConfigSource = string | readonly string[] | Record<string, unknown>;

/**
 * Options of {@link Config.load}.
 *
 * @example
 * ```ts
 * import { Config, type LoadOptions } from "lumen";
 * const options: LoadOptions = { validate: true, scope: { my: { Net: class {} } } };
 * await Config.load({ trainer: {}, system: { model: { _target_: "my.Net" } } }, [], options);
 * ```
 */
export interface LoadOptions {
  /**
   * Names added to (or replacing) the scope of `_target_` and `$expressions`; by default the
   * scope holds `lumen` (the root mod.ts) and `project` (from the `project:` key).
   */
  scope?: Record<string, unknown>;
  /** Validate the top level against the runner's schema after the overrides (default false). */
  validate?: boolean;
  /**
   * Import the root mod.ts as the `lumen` namespace (default true). `false` skips it, for a
   * config that is only printed, not resolved.
   */
  lumen?: boolean;
  /** Also accept the older `--key#path=value` override form (default false; the CLI sets it). */
  legacy?: boolean;
}

/**
 * A loaded config: the merged and overridden raw tree, plus a lazy, memoised resolver.
 *
 * @example
 * ```ts
 * import { Config } from "lumen";
 * const config = await Config.load(
 *   { vars: { lr: 0.01 }, system: { optimizer: { lr: "@vars::lr", wd: "$@vars::lr / 10" } } },
 *   ["vars::lr=0.1"],
 * );
 * console.log(config.get("system::optimizer::lr")); // @vars::lr
 * console.log(config.resolve("system::optimizer")); // { lr: 0.1, wd: 0.01 }
 * ```
 */
export class Config {
  #raw: Dict;
  readonly #scope: Record<string, unknown>;
  readonly #notes: Record<string, string>;
  readonly #sources: string[];
  #resolver?: Resolver;

  private constructor(
    raw: Dict,
    scope: Record<string, unknown>,
    notes: Record<string, string>,
    sources: string[],
  ) {
    this.#raw = raw;
    this.#scope = scope;
    this.#notes = notes;
    this.#sources = sources;
  }

  /**
   * Loads a config: reads and merges the sources in order (dicts merge deeply, lists extend,
   * scalars replace; `=key`, `~key` and path keys as in the README), applies the CLI overrides
   * (`key::path=value`) in order, and imports `project: ./dir` as the `project` namespace.
   *
   * @example
   * ```ts
   * import { Config } from "lumen";
   * const config = await Config.load({ trainer: { max_epochs: 10 } }, ["trainer::max_epochs=3"]);
   * console.log(config.get("trainer::max_epochs")); // 3
   * ```
   */
  static async load(
    source: ConfigSource,
    overrides: readonly string[] = [],
    options: LoadOptions = {},
  ): Promise<Config> {
    const raw: Dict = {};
    let sources: string[] = [];
    if (typeof source === "string" || Array.isArray(source)) {
      const paths = (typeof source === "string" ? [source] : source as readonly string[])
        .flatMap((s) => s.split(","))
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (paths.length === 0) throw new ConfigFileError("No config file given");
      sources = paths;
      for (const p of paths) applyLayer(raw, await loadConfigFile(p));
    } else if (isDict(source)) {
      applyLayer(raw, source);
    } else {
      throw new ConfigError(
        "A config source must be a path, a comma-joined list of paths, an array of paths or a " +
          "plain object",
      );
    }
    const scope: Record<string, unknown> = {};
    const notes: Record<string, string> = {};
    const config = new Config(raw, scope, notes, sources);
    config.override(overrides, { legacy: options.legacy });
    if (options.validate) config.validate();
    if (options.lumen !== false && !(options.scope && "lumen" in options.scope)) {
      const lumen = await loadLumen();
      scope.lumen = lumen.ns;
      if (lumen.error) notes.lumen = lumen.error;
    }
    const project = config.#raw.project;
    if (
      !(options.scope && "project" in options.scope) && project !== undefined && project !== null
    ) {
      if (typeof project !== "string" || /^[@$%]/.test(project)) {
        throw new ConfigFileError(
          `'project' must be a directory path (its mod.ts is imported at load), got ${
            JSON.stringify(project)
          }`,
          { id: "project", location: locate(config.#raw, "project") },
        );
      }
      scope.project = await importProject(project, locate(config.#raw, "project"));
    }
    Object.assign(scope, options.scope ?? {});
    return config;
  }

  /** The source files, in merge order (empty for an object source). */
  get sources(): readonly string[] {
    return this.#sources;
  }

  /** The names available to `_target_` and `$expressions` (`lumen`, `project`, ...). */
  get scope(): Readonly<Record<string, unknown>> {
    return this.#scope;
  }

  /**
   * The raw value at `id` (merged and overridden, not resolved: references stay strings), or
   * `undefined` when missing. Without `id`, the whole tree. Do not mutate it; use `set`.
   *
   * @example
   * ```ts
   * import { Config } from "lumen";
   * const config = await Config.load({ a: { b: [1, 2] }, c: "@a::b::1" });
   * console.log(config.get("a::b::1"), config.get("c"), config.get("nope"));
   * // 2 @a::b::1 undefined
   * ```
   */
  get(id = ""): unknown {
    return lookup(this.#raw, id).value;
  }

  /**
   * True when `id` exists in the raw tree.
   *
   * @example
   * ```ts
   * import { Config } from "lumen";
   * console.log((await Config.load({ a: { b: null } })).has("a::b")); // true
   * ```
   */
  has(id: string): boolean {
    return lookup(this.#raw, id).found;
  }

  /**
   * Sets the raw value at `id`, replacing what was there. Missing dicts on the way are created;
   * list segments index into lists. Clears the resolution cache.
   *
   * @example
   * ```ts
   * import { Config } from "lumen";
   * const config = await Config.load({ trainer: { callbacks: [{ patience: 3 }] } });
   * config.set("trainer::callbacks::0::patience", 10);
   * console.log(config.get("trainer::callbacks")); // [ { patience: 10 } ]
   * ```
   */
  set(id: string, value: unknown): void {
    this.#raw = setPath(this.#raw, id, value, undefined, ConfigError);
    this.#resolver = undefined;
  }

  /**
   * Deletes the raw value at `id` (a dict key or a list item); returns false when it was
   * missing. Clears the resolution cache.
   *
   * @example
   * ```ts
   * import { Config } from "lumen";
   * const config = await Config.load({ system: { dataloaders: { train: {}, test: {} } } });
   * config.delete("system::dataloaders::test");
   * console.log(config.get("system::dataloaders")); // { train: {} }
   * ```
   */
  delete(id: string): boolean {
    const segs = splitId(id);
    if (segs.length === 0) throw new ConfigError("Cannot delete the config root");
    const parent = lookup(this.#raw, segs.slice(0, -1).join("::")).value;
    const last = segs[segs.length - 1];
    if (!isContainer(parent) || !hasChild(parent, last)) return false;
    deleteChildren(parent, [last]);
    this.#resolver = undefined;
    return true;
  }

  /**
   * Applies CLI overrides (`key::path=value`) in order, each with `set`; values are typed as
   * YAML flow scalars. Throws {@link OverrideError} for a malformed override.
   *
   * @example
   * ```ts
   * import { Config } from "lumen";
   * const config = await Config.load({ trainer: { devices: 1 } });
   * config.override(["trainer::devices=[0, 1]", "trainer::precision=16-mixed"]);
   * console.log(config.get("trainer")); // { devices: [ 0, 1 ], precision: "16-mixed" }
   * ```
   */
  override(overrides: readonly string[] | string, options: { legacy?: boolean } = {}): void {
    const list = typeof overrides === "string" ? [overrides] : overrides;
    const parsed: Override[] = list.map((o) => parseOverride(o, options));
    for (const o of parsed) {
      this.#raw = setPath(this.#raw, o.key, o.value, { file: `override '${o.text}'`, line: 0 });
    }
    if (parsed.length) this.#resolver = undefined;
  }

  /**
   * The resolved value at `id` (the whole tree without `id`): references replaced by resolved
   * values (the same instance each time), expressions evaluated, components built. Synchronous;
   * memoised until the next `set`, `delete` or `override`.
   *
   * @example
   * ```ts
   * import { Config } from "lumen";
   * const config = await Config.load({ items: [1, 2, 3], n: "$@items.length", copy: "%items" });
   * console.log(config.resolve("n"), config.resolve());
   * // 3 { items: [1, 2, 3], n: 3, copy: [1, 2, 3] }
   * ```
   */
  resolve(id = ""): unknown {
    this.#resolver ??= new Resolver(preprocess(this.#raw), this.#scope, this.#notes);
    return this.#resolver.resolve(id);
  }

  /**
   * Validates the top level against the runner's schema: `trainer` and `system` required;
   * `project`, `vars`, `args::<stage>` and `_requires_` allowed; unknown keys rejected. Throws
   * {@link ConfigValidationError}.
   *
   * @example
   * ```ts
   * import { Config } from "lumen";
   * const config = await Config.load({ trainer: {}, system: { model: {} } });
   * config.validate(); // passes
   * ```
   */
  validate(): void {
    validateRunnerConfig(
      this.#raw,
      (id) => locate(this.#raw, id),
      this.#sources.join(",") || "<config>",
    );
  }

  /**
   * The raw (merged, overridden, unresolved) config as YAML text.
   *
   * @example
   * ```ts
   * import { Config } from "lumen";
   * console.log((await Config.load({ a: { b: 1 } })).toYaml());
   * // a:
   * //   b: 1
   * ```
   */
  toYaml(): string {
    return stringifyYaml(this.#raw);
  }
}
