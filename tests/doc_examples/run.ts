/**
 * Runs one doc example with its checked `console.log` calls recorded, and lists every call whose
 * printed text breaks the promise of its comment.
 *
 * @module
 */
import { keeps } from "./expect.ts";
import { type DocExample, rewrite } from "./examples.ts";
import { recorded } from "./record.ts";

let dir: string | undefined;
let count = 0;

/** `file:line (symbol)` of a place in an example. */
export function where(example: DocExample, line: number): string {
  return `${example.file}:${line} (${example.symbol})`;
}

/**
 * Runs the example as a module and returns one message per broken promise (empty: all kept).
 * Throws, naming the example, when it throws.
 */
export async function runExample(example: DocExample): Promise<string[]> {
  const key = `${example.file}:${example.line}#${count++}`;
  const { source, calls } = rewrite(example, key);
  if (dir === undefined) {
    const made = dir = await Deno.makeTempDir({ prefix: "lumen_doc_examples_" });
    globalThis.addEventListener("unload", () => Deno.removeSync(made, { recursive: true }));
  }
  const path = `${dir}/${
    example.file.replaceAll("/", "_").replace(/\.ts$/, "")
  }_${example.line}_${count}.ts`;
  await Deno.writeTextFile(path, source);
  try {
    await import(new URL(`file://${path}`).href);
  } catch (e) {
    const line = lineOfError(e, path);
    const at = line === undefined
      ? where(example, example.line)
      : where(example, line + example.line - 1);
    throw new Error(`${at}: the example threw: ${e instanceof Error ? e.message : e}`, {
      cause: e,
    });
  } finally {
    await Deno.remove(path);
  }
  const printed = recorded(key);
  const problems: string[] = [];
  calls.forEach((call, i) => {
    const texts = printed.get(i);
    if (!texts) {
      if (call.expected.when !== undefined) return;
      problems.push(`${where(example, call.line)}: the console.log call never ran`);
      return;
    }
    const text = texts.join("\n");
    const once = texts.every((t) => t === texts[0]) && keeps(texts[0], call.expected);
    if (!once && !keeps(text, call.expected)) {
      problems.push(
        `${where(example, call.line)}: console.log printed\n    ${
          text.replaceAll("\n", "\n    ")
        }\n` +
          `  but the comment says\n    ${call.comment.replaceAll("\n", "\n    ")}`,
      );
    }
  });
  return problems;
}

/** The line of the generated module in an error's stack, if it is there. */
function lineOfError(e: unknown, path: string): number | undefined {
  const stack = e instanceof Error ? e.stack ?? "" : "";
  const m = new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):`).exec(stack);
  return m ? Number(m[1]) : undefined;
}
