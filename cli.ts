/**
 * The lumen command line.
 *
 * ```sh
 * deno run -A cli.ts <stage> config.yaml[,more.yaml] [key::path=value ...]
 * deno run -A cli.ts config config.yaml[,more.yaml] [key::path=value ...] [--resolve ID]
 * ```
 *
 * Stages: fit, validate, test, predict, lr_find, scale_batch_size. `config` prints the merged,
 * overridden, unresolved config as YAML, or with `--resolve ID` the resolved value at ID as
 * JSON. Errors print `error: <message>` (exit 1; 2 for usage); `LUMEN_DEBUG=1` (or
 * `LIGHTER_DEBUG=1`) adds stack traces.
 *
 * @module
 */

import { Config, STAGES } from "./src/config/mod.ts";

const USAGE = `usage: deno run -A cli.ts <command> <config.yaml[,more.yaml]> [key::path=value ...]

commands:
  ${STAGES.join(", ")}
            load and validate the config, then run the stage
  config    print the merged, overridden config as YAML (unresolved);
            --resolve ID prints the resolved value at ID as JSON ("" for the whole config)

overrides: key::path=value, e.g. trainer::max_epochs=10 system::optimizer::lr=1e-3
           trainer::callbacks::0::patience=10 trainer::devices=[0,1]
           (the older --args#fit#ckpt_path=x form works too)
environment: LUMEN_DEBUG=1 prints stack traces`;

class UsageError extends Error {}

function debug(): boolean {
  return ["LUMEN_DEBUG", "LIGHTER_DEBUG"].some((k) => {
    const v = Deno.env.get(k);
    return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
  });
}

function toJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === "function") return `[Function ${v.name || "anonymous"}]`;
      if (typeof v === "bigint") return v.toString();
      if (v === undefined) return null;
      if (v !== null && typeof v === "object") {
        if (seen.has(v)) return "[Circular]";
        seen.add(v);
        if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
          return Array.from(v as unknown as ArrayLike<number>);
        }
        if (v instanceof Map) return Object.fromEntries(v);
        if (v instanceof Set) return [...v];
      }
      return v;
    },
    2,
  ) ?? "null";
}

/** Runs the CLI with `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  if (args.length === 0 || args[0] === "-h" || args[0] === "--help" || args[0] === "help") {
    if (args.length === 0) {
      console.error(USAGE);
      return 2;
    }
    console.log(USAGE);
    return 0;
  }
  const [command, ...rest] = args;
  if (command !== "config" && !STAGES.includes(command)) {
    throw new UsageError(`unknown command '${command}'`);
  }
  let resolveId: string | undefined;
  const positional: string[] = [];
  const overrides: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--resolve" || a.startsWith("--resolve=")) {
      if (command !== "config") throw new UsageError("--resolve works with the config command");
      if (a === "--resolve") {
        if (i + 1 >= rest.length) throw new UsageError("--resolve needs an id");
        resolveId = rest[++i];
      } else resolveId = a.slice("--resolve=".length);
    } else if (a.startsWith("--") && a.includes("=")) {
      overrides.push(a); // the older `--args#fit#ckpt_path=x` form
    } else if (a.startsWith("-") && !a.includes("=")) {
      throw new UsageError(`unknown option '${a}'`);
    } else if (positional.length === 0) {
      positional.push(a);
    } else {
      overrides.push(a);
    }
  }
  if (positional.length === 0) throw new UsageError("missing the config file(s)");
  const config = await Config.load(positional[0], overrides, {
    legacy: true,
    validate: command !== "config",
    lumen: command !== "config" || resolveId !== undefined,
  });
  if (command === "config") {
    if (resolveId === undefined) console.log(config.toYaml().trimEnd());
    else console.log(toJson(config.resolve(resolveId)));
    return 0;
  }
  console.error(`error: the ${command} stage runner is not built yet`);
  return 2;
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n\n${USAGE}`);
      code = 2;
    } else {
      const err = e as Error;
      console.error(`error: ${err?.message ?? String(e)}`);
      if (debug()) {
        let cur: unknown = err;
        while (cur instanceof Error) {
          console.error(cur.stack);
          cur = cur.cause;
          if (cur) console.error("caused by:");
        }
      } else if (err?.cause) {
        console.error("(set LUMEN_DEBUG=1 for stack traces)");
      }
      code = 1;
    }
  }
  Deno.exit(code);
}
