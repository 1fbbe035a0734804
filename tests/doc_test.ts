/**
 * `deno doc mod.ts` documents the members of every namespace (`nn.Conv2d`, `F.conv2d`, ...): deno
 * doc lists a namespace's members only through `export *`, so the namespace modules must use it,
 * and the files they re-export must export nothing internal.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

/** One symbol of `deno doc --json` (format version 2), as far as these tests read it. */
interface DocSymbol {
  name: string;
  declarations: {
    location: { filename: string };
    declarationKind: string;
    jsDoc?: { doc?: string };
    kind: string;
    def?: { elements?: DocSymbol[]; target?: { filename: string } };
  }[];
}

async function deno(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

let docCache: Promise<DocSymbol[]> | undefined;

/** The top-level symbols of `deno doc --json mod.ts`. */
function modDoc(): Promise<DocSymbol[]> {
  docCache ??= (async () => {
    const { code, stdout, stderr } = await deno("doc", "--json", "mod.ts");
    assert.equal(code, 0, stderr);
    const json = JSON.parse(stdout) as { nodes: Record<string, { symbols: DocSymbol[] }> };
    const mod = json.nodes[new URL("mod.ts", root).href];
    assert.ok(mod, `deno doc --json has no node for mod.ts: ${Object.keys(json.nodes)}`);
    return mod.symbols;
  })();
  return docCache;
}

/** The symbol at a dotted path (`nn.functional.conv2d`), or undefined. */
function lookup(symbols: DocSymbol[], path: string): DocSymbol | undefined {
  const [head, ...rest] = path.split(".");
  const symbol = symbols.find((s) => s.name === head);
  if (!symbol || rest.length === 0) return symbol;
  const ns = symbol.declarations.find((d) => d.kind === "namespace");
  return ns ? lookup(ns.def?.elements ?? [], rest.join(".")) : undefined;
}

/** Every member of every namespace (nested ones too), with its dotted path. */
function namespaceMembers(symbols: DocSymbol[], prefix = ""): [string, DocSymbol][] {
  const out: [string, DocSymbol][] = [];
  for (const s of symbols) {
    for (const d of s.declarations) {
      if (d.kind !== "namespace") continue;
      const elements = d.def?.elements ?? [];
      for (const e of elements) out.push([`${prefix}${s.name}.${e.name}`, e]);
      out.push(...namespaceMembers(elements, `${prefix}${s.name}.`));
    }
  }
  return out;
}

/**
 * The first line of the JSDoc just above `export ... <name>` in a source file: what deno doc must
 * show first, read from the source rather than from deno doc.
 */
async function sourceDocFirstLine(file: string, name: string): Promise<string> {
  const src = await Deno.readTextFile(new URL(file, root));
  const decl = new RegExp(
    String.raw`/\*\*((?:(?!\*/)[\s\S])*)\*/\s*export (?:abstract )?(?:class|function) ${name}\b`,
  ).exec(src);
  assert.ok(decl, `${file} has no documented export named ${name}`);
  const lines = decl[1].split("\n").map((l) => l.replace(/^\s*\* ?/, "").trim());
  const first = lines.find((l) => l !== "");
  assert.ok(first && !first.startsWith("@"), `${file}: the doc of ${name} has no text`);
  return first;
}

const EXPECTED: [path: string, file: string][] = [
  ["nn.Conv2d", "src/nn/layers/conv.ts"],
  ["nn.Linear", "src/nn/layers/linear.ts"],
  ["optim.Adam", "src/optim/adam.ts"],
  ["data.DataLoader", "src/data/loader.ts"],
  ["datasets.MNIST", "src/data/datasets/mnist.ts"],
  ["metrics.Accuracy", "src/metrics/accuracy.ts"],
  ["callbacks.ModelCheckpoint", "src/trainer/callbacks/model_checkpoint.ts"],
  ["loggers.CSVLogger", "src/trainer/loggers/csv_logger.ts"],
  ["adapters.BatchAdapter", "src/system/batch_adapter.ts"],
  ["F.conv2d", "src/nn/functional/conv2d.ts"],
];

for (const [path, file] of EXPECTED) {
  Deno.test(`deno doc mod.ts documents ${path} (from ${file})`, async () => {
    const symbol = lookup(await modDoc(), path);
    assert.ok(symbol, `deno doc --json mod.ts has no ${path}`);
    const decl = symbol.declarations[0];
    // A symbol documented elsewhere too (F.conv2d is nn.functional.conv2d) is a reference to it.
    const defined = decl.kind === "reference" ? decl.def?.target?.filename : decl.location.filename;
    assert.equal(defined, new URL(file, root).href);
    const name = path.split(".").at(-1)!;
    const first = await sourceDocFirstLine(file, name);
    const doc = decl.jsDoc?.doc ?? "";
    assert.ok(doc.startsWith(first), `${path}: doc ${JSON.stringify(doc)} should begin "${first}"`);
  });
}

Deno.test("deno doc --filter nn.Conv2d mod.ts finds the class", async () => {
  const { code, stdout, stderr } = await deno("doc", "--filter", "nn.Conv2d", "mod.ts");
  assert.equal(code, 0, stderr);
  assert.match(stdout, /class Conv2d/);
  assert.ok(stdout.includes(await sourceDocFirstLine("src/nn/layers/conv.ts", "Conv2d")), stdout);
});

Deno.test("every namespace lists members, each with doc text", async () => {
  const members = namespaceMembers(await modDoc());
  const namespaces = ["nn", "nn.functional", "nn.init", "F", "optim", "data", "data.transforms"]
    .concat(["datasets", "metrics", "adapters", "callbacks", "loggers"]);
  for (const ns of namespaces) {
    assert.ok(members.some(([p]) => p.startsWith(`${ns}.`)), `namespace ${ns} lists no member`);
  }
  const undocumented = members.filter(([, s]) => !s.declarations.some((d) => d.jsDoc?.doc));
  assert.deepEqual(undocumented.map(([p]) => p), []);
});

Deno.test("the namespaces' helpers stay internal", async () => {
  // [namespace path, helper, the internal module that exports it]
  const helpers: [string, string, string][] = [
    ["F", "LOSS_OPTIONS", "src/nn/functional/_loss_options.ts"],
    ["optim", "schedulerArgs", "src/optim/_scheduler_args.ts"],
    ["optim", "snakeCase", "src/util/case.ts"],
    ["optim", "dispatchUpdates", "src/optim/_dispatch.ts"],
    ["data", "checkIndex", "src/data/_dataset_checks.ts"],
    ["data", "specOf", "src/data/_spec_of.ts"],
    ["data", "transferables", "src/data/_batch_helpers.ts"],
    ["data", "uploadBatch", "src/data/upload.ts"],
    ["data.transforms", "applyTransform", "src/data/transforms/_apply.ts"],
    ["datasets", "decodeImage", "src/data/datasets/image_decode.ts"],
    ["metrics", "safeDivide", "src/metrics/_safe_divide.ts"],
    ["metrics", "zeroDivisionOf", "src/metrics/_zero_division.ts"],
    ["metrics", "classificationConfig", "src/metrics/_classification_config.ts"],
    ["adapters", "modeAdapters", "src/system/_mode_adapters.ts"],
    ["adapters", "transformList", "src/system/_transforms.ts"],
  ];
  const symbols = await modDoc();
  const lumen = await import("../mod.ts") as unknown as Record<string, unknown>;
  for (const [ns, name, file] of helpers) {
    const internal = await import(new URL(file, root).href) as Record<string, unknown>;
    assert.ok(name in internal, `${file} exports no ${name}`);
    assert.equal(lookup(symbols, `${ns}.${name}`), undefined, `deno doc lists ${ns}.${name}`);
    const namespace = ns.split(".").reduce(
      (o, k) => (o as Record<string, unknown>)[k],
      lumen as unknown,
    );
    assert.equal(name in (namespace as object), false, `lumen.${ns}.${name} is public`);
  }
});
