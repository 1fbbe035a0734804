/**
 * The lumen command line (Lighter's `lighter` command).
 *
 * ```sh
 * lumen <stage> config.yaml[,more.yaml] [key::path=value ...]
 * lumen config config.yaml[,more.yaml] [key::path=value ...] [--resolve ID]
 * lumen report RUN_DIR [RUN_DIR ...] [-o report.html] [--svg curves.svg]
 * lumen --help | lumen <command> --help | lumen --version
 * ```
 *
 * Stages: fit, validate, test, predict, lr_find and scale_batch_size (Lightning's Tuner).
 * `config` prints the merged, overridden, unresolved config as YAML, or with `--resolve ID` the
 * resolved value at ID as JSON. `report` draws the runs' metrics.csv curves and hparams into one
 * HTML page. Exit codes: 0 on success, 1 on an error (`error: <message>`), 2 on
 * misuse (an unknown command or option, a missing config). `LUMEN_DEBUG=1` (or `LIGHTER_DEBUG=1`)
 * adds stack traces. Install it as a `lumen` command with
 * `deno install -g -A -n lumen <url-or-path>/cli.ts`; for configs from others run
 * `deno run --allow-read --allow-env --allow-write=<run dir> cli.ts ...` instead of `-A`.
 *
 * @module
 */

import { Config, STAGES } from "./src/config/mod.ts";
import { Command, CommanderError } from "./src/deps.ts";
import {
  formatMetricsTable,
  runStage,
  settleExpressions,
  type StageRun,
} from "./src/runner/mod.ts";
import { writeReport } from "./src/report/mod.ts";
import { ready } from "./src/device/default_device.ts";
import { VERSION } from "./src/version.ts";

/** Where the CLI writes: one call per line (or block of lines), without the final newline. */
export interface CliIo {
  /** Normal output (stdout). */
  out(text: string): void;
  /** Errors and diagnostics (stderr). */
  err(text: string): void;
}

const CONSOLE: CliIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/** A misuse of the command line: exit code 2. */
class UsageError extends Error {}

const STAGE_HELP: Record<string, string> = {
  fit: "train the system (trainer.fit), validating as configured",
  validate: "evaluate on the val dataloader (trainer.validate) and print the metrics",
  test: "evaluate on the test dataloader (trainer.test) and print the metrics",
  predict: "run the predict dataloader (trainer.predict) and print the number of batches",
  lr_find: "find a learning rate (Tuner.lr_find): writes lr_find.csv and lr_find.svg",
  scale_batch_size: "find the largest batch size that fits (Tuner.scale_batch_size)",
};

const CONFIG_ARG = "config file: a.yaml, or a.yaml,b.yaml,... merged in order";
const OVERRIDES_ARG = "overrides key::path=value, applied in order after the files " +
  "(the older --key#path=value form works too)";

const MAIN_HELP_AFTER = `
Overrides (values are YAML flow scalars: 100, 1e-3, true, null, [0, 1]):
  lumen fit config.yaml trainer::max_epochs=50 system::optimizer::lr=0.001
  lumen fit config.yaml trainer::callbacks::0::patience=10
  lumen test config.yaml args::test::ckpt_path=best.ckpt
  lumen fit config.yaml --args#fit#ckpt_path=last.ckpt     (older form)

Environment:
  PL_GLOBAL_SEED, LUMEN_SEED   the global seed (default 0)
  LUMEN_DEBUG=1                stack traces on errors (LIGHTER_DEBUG=1 too)

For configs written by others, grant only what a run needs:
  deno run --allow-read --allow-env --allow-write=./runs cli.ts fit their.yaml`;

function stageHelpAfter(stage: string): string {
  const arg = stage === "predict"
    ? "args::predict::ckpt_path=best.ckpt args::predict::return_predictions=true"
    : stage === "lr_find"
    ? "args::lr_find::num_training=50 args::lr_find::max_lr=0.1"
    : stage === "scale_batch_size"
    ? "args::scale_batch_size::mode=binsearch"
    : stage === "fit"
    ? "args::fit::ckpt_path=last.ckpt"
    : `args::${stage}::ckpt_path=best.ckpt`;
  return `
Examples:
  lumen ${stage} config.yaml
  lumen ${stage} base.yaml,override.yaml trainer::max_epochs=5
  lumen ${stage} config.yaml ${arg}`;
}

function envFlag(name: string): boolean {
  try {
    const v = Deno.env.get(name);
    return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
  } catch {
    return false;
  }
}

function debug(): boolean {
  return envFlag("LUMEN_DEBUG") || envFlag("LIGHTER_DEBUG");
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

/** True for the older `--key#path=value` override form (and `--key::path=value`). */
function isLegacyOverride(token: string): boolean {
  const eq = token.indexOf("=");
  if (!token.startsWith("--") || eq < 0) return false;
  const key = token.slice(0, eq);
  return key.includes("#") || key.includes("::");
}

/**
 * Splits what follows a command into the config and the overrides. Commander lets unknown
 * options through (so that the legacy `--a#b=v` form reaches us): any other option is a misuse.
 */
function splitTokens(tokens: string[]): { config: string; overrides: string[] } {
  let config: string | undefined;
  const overrides: string[] = [];
  for (const t of tokens) {
    if (t.startsWith("-") && t !== "-") {
      if (!isLegacyOverride(t)) throw new UsageError(`unknown option '${t.split("=")[0]}'`);
      overrides.push(t);
    } else if (config === undefined) config = t;
    else overrides.push(t);
  }
  if (config === undefined) throw new UsageError("missing required argument 'config'");
  return { config, overrides };
}

function terminalWidth(): number {
  try {
    const columns = Number(Deno.env.get("COLUMNS"));
    if (Number.isInteger(columns) && columns > 0) return columns;
  } catch { /* no env permission: fall through */ }
  try {
    return Deno.consoleSize().columns || 120;
  } catch {
    return 120; // not a terminal: Lightning's fallback
  }
}

function printResult(stage: string, { result, args }: StageRun, io: CliIo): void {
  if (stage === "validate" || stage === "test") {
    // With `verbose: true` the trainer has printed its own table already.
    if (Array.isArray(result) && args.verbose !== true) {
      const table = formatMetricsTable(stage, result, terminalWidth());
      if (table) io.out(table);
    }
  } else if (stage === "predict") {
    if (Array.isArray(result)) {
      io.out(`Predicted ${result.length} batch${result.length === 1 ? "" : "es"}`);
    } else {
      io.out("Predicted: predictions not returned (args::predict::return_predictions is false)");
    }
  }
}

function buildProgram(io: CliIo): Command {
  const program = new Command("lumen")
    .description(
      "Deep-learning experiments from YAML configs (Lighter's config language), for Deno.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "print this help")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, "")),
      writeErr: (s) => io.err(s.replace(/\n$/, "")),
    })
    .addHelpText("after", MAIN_HELP_AFTER);
  for (const stage of STAGES) {
    program.command(stage)
      .description(STAGE_HELP[stage] ?? `run the ${stage} stage`)
      .argument("<config>", CONFIG_ARG)
      .argument("[overrides...]", OVERRIDES_ARG)
      .allowUnknownOption()
      .addHelpText("after", stageHelpAfter(stage))
      .action(async (config: string, rest: string[]) => {
        const { config: source, overrides } = splitTokens([config, ...rest]);
        printResult(stage, await runStage(stage, source, overrides), io);
      });
  }
  program.command("config")
    .description(
      "print the merged, overridden config as YAML (unresolved), or with --resolve ID the " +
        "resolved value at ID as JSON",
    )
    .argument("<config>", CONFIG_ARG)
    .argument("[overrides...]", OVERRIDES_ARG)
    .option("--resolve <id>", 'print the resolved value at ID as JSON ("" for the whole config)')
    .allowUnknownOption()
    .addHelpText(
      "after",
      `
Examples:
  lumen config base.yaml,finetune.yaml trainer::max_epochs=5
  lumen config base.yaml --resolve system::optimizer::lr`,
    )
    .action(async (config: string, rest: string[], opts: { resolve?: string }) => {
      const { config: source, overrides } = splitTokens([config, ...rest]);
      const resolveId = opts.resolve;
      const loaded = await Config.load(source, overrides, {
        legacy: true,
        lumen: resolveId !== undefined,
      });
      if (resolveId === undefined) {
        io.out(loaded.toYaml().trimEnd());
        return;
      }
      // The value may build tensors (a model, a dataset): acquire the GPU first. Without one, a
      // value that needs none still prints; one that does fails with the adapter error.
      await ready().catch(() => undefined);
      const value = loaded.resolve(resolveId);
      await settleExpressions(loaded, resolveId);
      io.out(toJson(value));
    });
  program.command("report")
    .description(
      "write training curves of runs (metrics.csv, hparams.yaml) as one self-contained HTML page",
    )
    .argument(
      "<runs...>",
      "run folders: a version_N folder, or a folder holding version_N folders (all of them)",
    )
    .option("-o, --out <file>", "the HTML file to write", "report.html")
    .option("--svg <file>", "also write every chart in one SVG file")
    .addHelpText(
      "after",
      `
Examples:
  lumen report runs/quickstart/lightning_logs/version_0 -o report.html
  lumen report runs/lr_0.01 runs/lr_0.1 -o report.html --svg curves.svg`,
    )
    .action(async (runs: string[], opts: { out: string; svg?: string }) => {
      const read = await writeReport(runs, { out: opts.out, svg: opts.svg });
      io.out(
        `Wrote ${opts.out} (${read.length} run${read.length === 1 ? "" : "s"})` +
          (opts.svg !== undefined ? ` and ${opts.svg}` : ""),
      );
    });
  return program;
}

function report(e: unknown, io: CliIo): void {
  const err = e as Error;
  io.err(`error: ${err?.message ?? String(e)}`);
  if (debug()) {
    let cur: unknown = err;
    while (cur instanceof Error) {
      io.err(cur.stack ?? String(cur));
      cur = cur.cause;
      if (cur) io.err("caused by:");
    }
  } else if (err?.cause) {
    io.err("(set LUMEN_DEBUG=1 for stack traces)");
  }
}

/**
 * Runs the command line with `args` (without the program name) and returns the exit code: 0 on
 * success (and for `--help`, `--version`), 1 on an error, 2 on misuse. Output goes to `io`
 * (the console by default); nothing exits the process.
 */
export async function main(args: string[], io: CliIo = CONSOLE): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(args, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed its message (or the help, or the version).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      return 2;
    }
    report(e, io);
    return 1;
  }
}

if (import.meta.main) {
  // A `$expression` whose Promise rejects outside what the runner awaits still ends in one line.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    report(event.reason, CONSOLE);
    Deno.exit(1);
  });
  Deno.exit(await main(Deno.args));
}
