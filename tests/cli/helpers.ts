/** Helpers for the CLI tests: `main()` in-process with captured output, or cli.ts as a process. */
import { main } from "../../cli.ts";
import { ROOT } from "../runner/helpers.ts";

export { ROOT };

/** What one CLI run gave: its exit code and its output. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `main(args)` in this process, capturing what it writes. */
export async function cliInProcess(args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/**
 * Runs `deno run <permissions> cli.ts <args>` as a process from `cwd` (the repository root by
 * default).
 */
export async function cliProcess(
  args: string[],
  options: { permissions?: string[]; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...(options.permissions ?? ["-A"]), `${ROOT}/cli.ts`, ...args],
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * The lines of `stderr` without Mesa's "XDG_RUNTIME_DIR is invalid or not set" notice, which the
 * software GPU drivers print when that variable is missing.
 */
export function errorLines(stderr: string): string[] {
  return stderr.trim().split("\n").filter((l) => !l.includes("XDG_RUNTIME_DIR"));
}
