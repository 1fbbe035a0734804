/**
 * The `ts` code blocks of the doc comments in lumen's source files, and each block rewritten so
 * that its `console.log(...); // comment` calls record what they print (see expect.ts).
 *
 * @module
 */
import { type Expectation, parseComment } from "./expect.ts";

/** One fenced `ts` block of a doc comment. */
export interface DocExample {
  /** The file, relative to the repository root (`src/nn/init.ts`). */
  file: string;
  /** The declaration the comment documents (`Config.get`), or `module` for a module doc. */
  symbol: string;
  /** The file's line (1-based) of the block's first code line. */
  line: number;
  /** The code, one entry per line, without the comment's ` * ` prefix. */
  code: string[];
}

/** A `console.log` call whose output a comment states. */
export interface CheckedCall {
  /** The file's line (1-based) where the call starts. */
  line: number;
  /** The comment as written (lines joined with newlines). */
  comment: string;
  expected: Expectation;
}

/** An example ready to run: its module source and the calls it checks, by index. */
export interface RewrittenExample {
  source: string;
  calls: CheckedCall[];
}

const root = new URL("../../", import.meta.url);

/** The repository's files that mod.ts reaches (`deno info --json mod.ts`), relative paths. */
export async function reachableFiles(): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "mod.ts"],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  return info.modules.map((m) => m.specifier)
    .filter((s) => s.startsWith(root.href) && s.endsWith(".ts"))
    .map((s) => s.slice(root.href.length))
    .sort();
}

/** The `ts` blocks (without `ignore`) of every doc comment in a file's text. */
export function examplesIn(file: string, text: string): DocExample[] {
  const lines = text.split("\n");
  const out: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\/\*\*/.test(lines[i])) continue;
    const start = i;
    while (i < lines.length && !lines[i].includes("*/")) i++;
    const body = lines.slice(start, i + 1).map(stripCommentPrefix);
    const symbol = body.some((l) => /@module\b/.test(l))
      ? "module"
      : declarationName(lines, i + 1) ?? `line ${i + 2}`;
    let block: DocExample | undefined;
    for (let k = 0; k < body.length; k++) {
      const fence = /^\s*```\s*(\S*)(.*)$/.exec(body[k]);
      if (fence && !block) {
        const lang = fence[1], attrs = fence[2];
        const runnable = ["ts", "typescript"].includes(lang) && !/\bignore\b/.test(attrs);
        block = { file, symbol, line: start + k + 2, code: [] };
        if (!runnable) block.line = -1;
      } else if (fence && block) {
        if (block.line > 0) out.push(block);
        block = undefined;
      } else if (block) block.code.push(body[k]);
    }
  }
  return out;
}

/** A doc comment line without `/**`, `*` and one following space. */
function stripCommentPrefix(line: string): string {
  return line.replace(/^\s*\/\*\*\s?/, "").replace(/\s*\*\/.*$/, "").replace(/^\s*\* ?/, "");
}

/** The name declared on the first code line at or after `from` (`Class.method` for members). */
function declarationName(lines: string[], from: number): string | undefined {
  let k = from;
  while (k < lines.length && lines[k].trim() === "") k++;
  const line = lines[k] ?? "";
  const top =
    /^export\s+(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|interface|type|enum|namespace)\s+([\w$]+)/
      .exec(line) ??
      /^(?:function|class|const|let|interface|type)\s+([\w$]+)/.exec(line);
  if (top) return top[1];
  const member =
    /^\s+(?:(?:public|protected|private|static|readonly|override|abstract|async|get|set)\s+)*\*?([\w$#]+)\s*[(<?:=;!]/
      .exec(line);
  if (!member) return undefined;
  // The enclosing class: the nearest earlier code line at column 0, when it declares one.
  for (let j = k - 1; j >= 0; j--) {
    const cls = /^export\s+(?:default\s+)?(?:abstract\s+)?(?:class|interface)\s+([\w$]+)/.exec(
      lines[j],
    ) ?? /^(?:abstract\s+)?(?:class|interface)\s+([\w$]+)/.exec(lines[j]);
    if (cls) return `${cls[1]}.${member[1]}`;
    if (/^[^\s/*]/.test(lines[j])) break;
  }
  return member[1];
}

/** A `console.log(` call in code: where it starts and where its closing parenthesis is. */
interface Call {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

/** The `console.log(` calls of the code, found outside strings and comments. */
function consoleLogCalls(code: string[]): Call[] {
  const text = code.join("\n");
  const lineOf: number[] = [];
  const colOf: number[] = [];
  let ln = 0, col = 0;
  for (const c of text) {
    lineOf.push(ln);
    colOf.push(col);
    if (c === "\n") [ln, col] = [ln + 1, 0];
    else col++;
  }
  const calls: Call[] = [];
  const open: { index: number; depth: number }[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const skip = skipNonCode(text, i);
    if (skip > i) {
      i = skip - 1;
      continue;
    }
    if (text.startsWith("console.log(", i) && !/[\w$.]/.test(text[i - 1] ?? "")) {
      open.push({ index: i, depth });
      depth++;
      i += "console.log(".length - 1;
      continue;
    }
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      const last = open.at(-1);
      if (last && last.depth === depth) {
        open.pop();
        calls.push({
          line: lineOf[last.index],
          col: colOf[last.index],
          endLine: lineOf[i],
          endCol: colOf[i],
        });
      }
    }
  }
  return calls.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The index after a string, template, regex-free comment starting at i, or i itself. */
function skipNonCode(text: string, i: number): number {
  const c = text[i];
  if (c === "/" && text[i + 1] === "/") {
    const end = text.indexOf("\n", i);
    return end < 0 ? text.length : end;
  }
  if (c === "/" && text[i + 1] === "*") {
    const end = text.indexOf("*/", i + 2);
    return end < 0 ? text.length : end + 2;
  }
  if (c === '"' || c === "'" || c === "`") {
    let j = i + 1;
    let nested = 0;
    while (j < text.length) {
      if (text[j] === "\\") j += 2;
      else if (c === "`" && text[j] === "$" && text[j + 1] === "{") {
        [nested, j] = [nested + 1, j + 2];
      } else if (c === "`" && nested > 0 && text[j] === "}") [nested, j] = [nested - 1, j + 1];
      else if (text[j] === c && nested === 0) return j + 1;
      else j++;
    }
    return text.length;
  }
  return i;
}

/** The comment that states a call's output: on the call's last line, or on the lines after it. */
function commentOf(code: string[], call: Call): string | undefined {
  const rest = code[call.endLine].slice(call.endCol + 1);
  const same = /^[\s;)}]*\/\/(.*)$/.exec(rest);
  if (same) return same[1].trim();
  if (!/^[\s;)}]*$/.test(rest)) return undefined;
  const below: string[] = [];
  for (let k = call.endLine + 1; k < code.length; k++) {
    const m = /^\s*\/\/ ?(.*)$/.exec(code[k]);
    if (!m) break;
    below.push(m[1]);
  }
  return below.length > 0 ? below.join("\n") : undefined;
}

/**
 * The example as a module: `"lumen"` imports point at mod.ts, and each `console.log(` with a
 * comment becomes `__doc(i, ` where `__doc` is `record(key)` from ./record.ts. Lines stay where
 * they were, so line k of the module is line `example.line + k - 1` of the file.
 */
export function rewrite(example: DocExample, key: string): RewrittenExample {
  const code = example.code.map((l) => l.replace(/(["'])lumen\1/g, JSON.stringify(modUrl())));
  const calls: CheckedCall[] = [];
  const edits: { line: number; col: number; index: number }[] = [];
  for (const call of consoleLogCalls(example.code)) {
    const comment = commentOf(example.code, call);
    if (comment === undefined) continue;
    edits.push({ line: call.line, col: call.col, index: calls.length });
    calls.push({ line: example.line + call.line, comment, expected: parseComment(comment) });
  }
  // Right to left within a line, so earlier columns stay valid.
  for (const e of edits.sort((a, b) => b.line - a.line || b.col - a.col)) {
    const l = code[e.line];
    // The mapped "lumen" specifier is longer than "lumen": find the call again on the edited line.
    const col = locateCall(l, example.code[e.line], e.col);
    code[e.line] = `${l.slice(0, col)}__doc(${e.index}, ${l.slice(col + "console.log(".length)}`;
  }
  const recordUrl = new URL("./record.ts", import.meta.url).href;
  code[0] = `import { record as __record } from ${JSON.stringify(recordUrl)}; ` +
    `const __doc = __record(${JSON.stringify(key)}); ${code[0] ?? ""}`;
  return { source: code.join("\n") + "\n", calls };
}

/** The column of the n-th `console.log(` of the original line, in the edited line. */
function locateCall(edited: string, original: string, col: number): number {
  const n = original.slice(0, col).split("console.log(").length - 1;
  let at = -1;
  for (let k = 0; k <= n; k++) at = edited.indexOf("console.log(", at + 1);
  return at;
}

function modUrl(): string {
  return new URL("mod.ts", root).href;
}
