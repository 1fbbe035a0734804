/**
 * `hparams.yaml` as Lightning writes it with PyYAML's `yaml.dump`: keys sorted, block style,
 * lists not indented under their key, single-quoted strings where quoting is needed, floats in
 * Python's notation (`1.0e-08`, `.inf`).
 *
 * @module
 */
import { stringifyYaml } from "../../deps.ts";
import { pyFloatRepr } from "../callbacks/python_compat.ts";
import { warnOnce } from "../callbacks/files.ts";

type StringifyOptions = Exclude<Parameters<typeof stringifyYaml>[2], string | number | undefined>;

/** PyYAML's `represent_float`: `repr(x).lower()`, a `.0` added before a bare exponent. */
function pyYamlFloat(x: number): string {
  if (Number.isNaN(x)) return ".nan";
  if (!Number.isFinite(x)) return x > 0 ? ".inf" : "-.inf";
  const text = pyFloatRepr(x).toLowerCase();
  return !text.includes(".") && text.includes("e") ? text.replace("e", ".0e") : text;
}

const FLOAT = "tag:yaml.org,2002:float", BOOL = "tag:yaml.org,2002:bool";

/** Floats as PyYAML resolves and prints them (a plain float needs a dot: `1e5` is a string). */
const pyFloatTag = {
  // JS has one number type: safe integers print as ints, everything else as a Python float.
  identify: (v: unknown) => typeof v === "number" && !Number.isSafeInteger(v),
  default: true,
  tag: FLOAT,
  test:
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve: (text: string) => Number(text),
  stringify: (item: { value: unknown }) => pyYamlFloat(item.value as number),
};

/** Booleans as PyYAML resolves them (`yes`/`on`/`off` are booleans, `y`/`n` are strings). */
const pyBoolTag = {
  identify: (v: unknown) => typeof v === "boolean",
  default: true,
  tag: BOOL,
  test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  resolve: (text: string) => /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(text),
  stringify: (item: { value: unknown }) => (item.value ? "true" : "false"),
};

const OPTIONS: StringifyOptions = {
  sortMapEntries: true,
  indentSeq: false,
  lineWidth: 0,
  singleQuote: true,
  // YAML 1.1 quotes `yes`, `no`, `on`, `off` as PyYAML does.
  version: "1.1",
  customTags: (tags) => [
    pyFloatTag,
    pyBoolTag,
    ...tags.filter((t) => typeof t === "string" || (t.tag !== FLOAT && t.tag !== BOOL)),
  ],
};

function isPlainData(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean" || typeof v === "number") {
    return true;
  }
  if (Array.isArray(v)) return v.every(isPlainData);
  if (typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && Object.values(v).every(isPlainData);
}

/**
 * The YAML text of `params`. A top-level value that is not plain data (a class instance, a
 * function) is left out with Lightning's warning.
 */
export function hparamsYaml(params: Readonly<Record<string, unknown>>): string {
  const allowed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (isPlainData(v)) allowed[k] = v;
    else warnOnce(`Skipping '${k}' parameter because it is not possible to safely dump to YAML.`);
  }
  return stringifyYaml(allowed, OPTIONS);
}
