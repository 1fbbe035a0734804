/**
 * Components: finding a `_target_` in the scope (`lumen.nn.Linear`, `project.models.Net`) and
 * building it with one options object of camelCase keys.
 *
 * @module
 */

import { type ConfigErrorOptions, InstantiationError, TargetNotFoundError } from "./errors.ts";
import { closest, didYouMean } from "./ids.ts";
import { isDict } from "./tree.ts";
import { camelCase } from "../util/case.ts";

/** Keys of a component that are never passed to its target. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  "_target_",
  "_args_",
  "_mode_",
  "_disabled_",
  "_requires_",
]);

/** The `_mode_` values. */
export const MODES: readonly string[] = ["default", "callable"];

/** The kwargs with camelCase keys; both spellings of one option throw, naming both. */
export function camelizeKwargs(
  kwargs: Record<string, unknown>,
  target: string,
  ctx: ConfigErrorOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const from = new Map<string, string>();
  for (const [k, v] of Object.entries(kwargs)) {
    const c = camelCase(k);
    const prev = from.get(c);
    if (prev !== undefined) {
      throw new InstantiationError(
        `Component '${target}' sets option '${c}' twice, as '${prev}' and as '${k}'; keep one`,
        ctx,
      );
    }
    from.set(c, k);
    out[c] = v;
  }
  return out;
}

/** True when `fn` must be called with `new` (a class, or a native constructor like `Map`). */
export function isClass(fn: unknown): boolean {
  if (typeof fn !== "function") return false;
  if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) return true;
  const proto = (fn as { prototype?: object }).prototype;
  return proto !== undefined && proto !== null && Object.getOwnPropertyNames(proto).length > 1;
}

function namesUnder(ns: unknown, prefix: string, depth: number, out: string[]): void {
  if (ns === null || (typeof ns !== "object" && typeof ns !== "function") || out.length > 5000) {
    return;
  }
  let keys: string[];
  try {
    keys = Object.keys(ns as object);
  } catch {
    return;
  }
  for (const k of keys) {
    const name = `${prefix}.${k}`;
    out.push(name);
    let v: unknown;
    try {
      v = (ns as Record<string, unknown>)[k];
    } catch {
      continue;
    }
    // Descend into namespaces (module objects, plain objects), not into classes or values.
    if (depth > 0 && v !== null && typeof v === "object" && !Array.isArray(v)) {
      namesUnder(v, name, depth - 1, out);
    }
  }
}

/**
 * Finds the value named by a dotted `_target_` in the scope (`lumen.nn.Linear`). Throws
 * {@link TargetNotFoundError} with the closest names.
 */
export function locateTarget(
  name: string,
  scope: Record<string, unknown>,
  ctx: ConfigErrorOptions,
  notes: Record<string, string> = {},
): unknown {
  const segs = name.split(".");
  const rootName = segs[0];
  const roots = Object.keys(scope).filter((k) => scope[k] !== undefined);
  if (!roots.includes(rootName)) {
    const why = rootName === "project"
      ? "no project module is loaded (add 'project: ./dir' to the config; dir/mod.ts is imported)"
      : `a _target_ starts with ${roots.map((r) => `'${r}.'`).join(" or ")}`;
    const all: string[] = [];
    for (const r of roots) namesUnder(scope[r], r, 2, all);
    throw new TargetNotFoundError(
      `Cannot find target '${name}': ${why}.${didYouMean(closest(name, all))}`,
      ctx,
    );
  }
  let obj: unknown = scope[rootName];
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i];
    const holder = obj as Record<string, unknown> | null | undefined;
    const has = holder !== null && holder !== undefined &&
      (typeof holder === "object" || typeof holder === "function") && seg in holder;
    if (!has) {
      const all: string[] = [];
      namesUnder(scope[rootName], rootName, 3, all);
      const note = notes[rootName] ? ` (${notes[rootName]})` : "";
      throw new TargetNotFoundError(
        `Cannot find target '${name}': '${segs.slice(0, i).join(".")}' has no '${seg}'.` +
          `${didYouMean(closest(name, all))}${note}`,
        ctx,
      );
    }
    obj = holder![seg];
  }
  return obj;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 37) + "..." : v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "function") return `[Function ${v.name || "anonymous"}]`;
  if (Array.isArray(v)) {
    return v.length <= 4 ? `[${v.map(describe).join(", ")}]` : `[${v.length} items]`;
  }
  if (isDict(v)) return `{${Object.keys(v).join(", ")}}`;
  return `<${(v as object).constructor?.name ?? "object"}>`;
}

/** A short description of kwargs for error messages: `{inFeatures: 4, bias: true}`. */
export function describeKwargs(kwargs: Record<string, unknown>): string {
  return `{${Object.entries(kwargs).map(([k, v]) => `${k}: ${describe(v)}`).join(", ")}}`;
}

function invoke(
  target: unknown,
  name: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
  ctx: ConfigErrorOptions,
): unknown {
  const hasKw = Object.keys(kwargs).length > 0;
  if (typeof target !== "function") {
    if (args.length === 0 && !hasKw) return target;
    throw new InstantiationError(
      `Target '${name}' is ${target === null ? "null" : `a ${typeof target}`}, not a class or ` +
        `a function, so it cannot take arguments`,
      ctx,
    );
  }
  // `compile: true` on a class with a compile() method (a lumen Module; the seeds'
  // `system::model::compile=true`, torch's `nn.Module.compile()`) is applied after construction.
  let compile: unknown;
  const compilable = isClass(target) &&
    typeof (target.prototype as { compile?: unknown } | undefined)?.compile === "function";
  if (compilable && "compile" in kwargs) {
    ({ compile, ...kwargs } = kwargs);
    if (typeof compile !== "boolean") {
      throw new InstantiationError(
        `'${name}' option 'compile' must be true or false, got ${describe(compile)}`,
        ctx,
      );
    }
  }
  const callArgs = Object.keys(kwargs).length > 0 ? [...args, kwargs] : args;
  let out: unknown;
  try {
    out = isClass(target)
      ? Reflect.construct(target, callArgs)
      : (target as (...a: unknown[]) => unknown)(...callArgs);
  } catch (e) {
    const err = e as Error;
    const what = args.length ? ` with args ${describe(args)} and` : " with";
    throw new InstantiationError(
      `Failed to build '${name}'${what} kwargs ${describeKwargs(kwargs)}: ` +
        `${err?.name ?? "Error"}: ${err?.message ?? String(e)}`,
      { ...ctx, cause: e },
    );
  }
  if (compile === true) (out as { compile(): unknown }).compile();
  return out;
}

/**
 * Builds a component: `new Target(...args, kwargs)` for a class, `target(...args, kwargs)` for
 * a function (kwargs is left out when empty). With mode `callable`, returns a function that
 * merges its (object) argument into kwargs and then builds, or appends non-object arguments to
 * the positional ones.
 */
export function instantiate(
  target: unknown,
  name: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
  mode: string,
  ctx: ConfigErrorOptions,
): unknown {
  if (mode === "default") return invoke(target, name, args, kwargs, ctx);
  if (mode === "callable") {
    if (typeof target !== "function") {
      throw new InstantiationError(
        `Target '${name}' is not a class or a function, so '_mode_: callable' cannot wrap it`,
        ctx,
      );
    }
    return (...more: unknown[]): unknown => {
      if (more.length === 1 && isDict(more[0])) {
        const extra = camelizeKwargs(more[0], name, ctx);
        return invoke(target, name, args, { ...kwargs, ...extra }, ctx);
      }
      return invoke(target, name, [...args, ...more], kwargs, ctx);
    };
  }
  throw new InstantiationError(
    `Unsupported _mode_ '${mode}' for '${name}': use one of ${
      MODES.map((m) => `'${m}'`).join(", ")
    }`,
    ctx,
  );
}
