/**
 * The runner's schema for the top level of a config (Lighter's `LighterConfig`): `trainer` and
 * `system` required; `project`, `vars`, `args::<stage>`, `_requires_` allowed; unknown keys
 * rejected. A string that starts with `@`, `$` or `%` passes any type check (it is resolved
 * later).
 *
 * @module
 */

import { ConfigValidationError, type SourceLocation } from "./errors.ts";
import { childId, type Dict, isDict } from "./tree.ts";

/**
 * The stages the runner knows, which are also the allowed keys of `args`.
 *
 * @example
 * ```ts
 * import { STAGES } from "lumen";
 * console.log(STAGES.includes("fit")); // true
 * ```
 */
export const STAGES: readonly string[] = [
  "fit",
  "validate",
  "test",
  "predict",
  "lr_find",
  "scale_batch_size",
];

/** Allowed top-level keys. */
export const TOP_LEVEL_KEYS: readonly string[] = [
  "trainer",
  "system",
  "project",
  "vars",
  "args",
  "_requires_",
];

/** Allowed keys of `system` (besides the component keys `_target_`, `_args_`, ...). */
export const SYSTEM_KEYS: readonly string[] = [
  "model",
  "criterion",
  "optimizer",
  "scheduler",
  "inferer",
  "metrics",
  "dataloaders",
  "adapters",
];

const COMPONENT_KEYS = ["_target_", "_args_", "_mode_", "_disabled_", "_requires_"];
const MODES_ALL = ["train", "val", "test", "predict"];
const MODES_METRICS = ["train", "val", "test"];

type Kind = "dict" | "list" | "string";

function isDeferred(v: unknown): boolean {
  return typeof v === "string" && /^[@$%]/.test(v);
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (isDict(v)) return "a mapping";
  return `a ${typeof v}`;
}

/** Validates the top level of a raw config; `where(id)` gives the location of an id. */
export function validateRunnerConfig(
  raw: Dict,
  where: (id: string) => SourceLocation | undefined,
  sources: string,
): void {
  const fail = (id: string, detail: string): never => {
    const location = where(id);
    throw new ConfigValidationError(detail, location ? { id, location } : { id });
  };
  const check = (id: string, v: unknown, kinds: Kind[], nullable: boolean): boolean => {
    if (isDeferred(v)) return false;
    if (v === null || v === undefined) {
      if (nullable) return false;
      fail(id, `'${id}' must be ${kinds.map(label).join(" or ")}, got ${kindOf(v)}`);
    }
    const ok = kinds.some((k) =>
      k === "dict" ? isDict(v) : k === "list" ? Array.isArray(v) : typeof v === "string"
    );
    if (!ok) fail(id, `'${id}' must be ${kinds.map(label).join(" or ")}, got ${kindOf(v)}`);
    return isDict(v);
  };
  const keys = (id: string, v: Dict, allowed: readonly string[], extra: string[] = []): void => {
    const all = [...allowed, ...extra];
    for (const k of Object.keys(v)) {
      if (!all.includes(k)) {
        const under = id === "" ? "at the top level" : `under '${id}'`;
        fail(
          childId(id, k),
          `Unknown key '${k}' ${under}; allowed keys: ${allowed.join(", ")}` +
            (extra.length ? ` (and ${extra.join(", ")})` : ""),
        );
      }
    }
  };

  keys("", raw, TOP_LEVEL_KEYS);
  for (const req of ["trainer", "system"]) {
    if (!Object.hasOwn(raw, req)) {
      throw new ConfigValidationError(
        `Missing required key '${req}': the runner needs both 'trainer' and 'system'`,
        { location: { file: sources, line: 0 } },
      );
    }
  }
  check("trainer", raw.trainer, ["dict"], false);
  check("project", raw.project, ["string"], true);
  check("vars", raw.vars, ["dict"], true);
  if (check("args", raw.args, ["dict"], true)) {
    const args = raw.args as Dict;
    keys("args", args, STAGES);
    for (const s of Object.keys(args)) check(`args::${s}`, args[s], ["dict"], true);
  }
  if (check("system", raw.system, ["dict"], false)) {
    const system = raw.system as Dict;
    keys("system", system, SYSTEM_KEYS, COMPONENT_KEYS);
    for (const k of ["model", "criterion", "optimizer", "scheduler", "inferer"]) {
      check(`system::${k}`, system[k], ["dict"], true);
    }
    const perMode = (key: string, modes: string[], kinds: Kind[]): void => {
      const id = `system::${key}`;
      if (!check(id, system[key], ["dict"], true)) return;
      const d = system[key] as Dict;
      keys(id, d, modes);
      for (const m of Object.keys(d)) check(`${id}::${m}`, d[m], kinds, true);
    };
    perMode("metrics", MODES_METRICS, ["list", "dict"]);
    perMode("dataloaders", MODES_ALL, ["dict"]);
    perMode("adapters", MODES_ALL, ["dict"]);
  }
}

function label(k: Kind): string {
  return k === "dict" ? "a mapping" : k === "list" ? "a list" : "a string";
}
