/**
 * adjustPrefixAndLoadStateDict (Lighter's adjust_prefix_and_load_state_dict): the key mappings
 * follow Lighter's rules (a "." added to a non-empty prefix, only the keys under a listed
 * checkpoint prefix kept, an empty checkpoint prefix prepends the model prefix to every key,
 * layers_to_ignore applied after the mapping, a lumen .ckpt's `model.` prefix removed); the
 * expected maps below are written from those rules, not read from our output.
 */
import assert from "node:assert/strict";
import { adjustPrefixAndLoadStateDict, Config, nn, save, tensor } from "../../mod.ts";
import { adjustedKeys } from "../../src/trainer/pretrained.ts";
import { writeCheckpoint } from "../../src/trainer/checkpoint.ts";

/** The map as [checkpoint key, model key] pairs, sorted by checkpoint key. */
function pairs(map: Map<string, string>): [string, string][] {
  return [...map].sort((a, b) => a[0].localeCompare(b[0]));
}

/** Runs `fn` with console.error captured; returns what it wrote. */
function captureStderr(fn: () => void): string[] {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    fn();
  } finally {
    console.error = original;
  }
  return lines;
}

const BACKBONE_HEAD = ["backbone.0.weight", "backbone.0.bias", "head.weight", "head.bias"];

Deno.test("adjustedKeys: no mapping keeps every key as it is", () => {
  assert.deepEqual(pairs(adjustedKeys(["b", "a.weight"])), [["a.weight", "a.weight"], ["b", "b"]]);
});

Deno.test("adjustedKeys: {backbone: ''} keeps only the backbone's keys, without the prefix", () => {
  const expected = [["backbone.0.bias", "0.bias"], ["backbone.0.weight", "0.weight"]];
  assert.deepEqual(
    pairs(adjustedKeys(BACKBONE_HEAD, { ckptToModelPrefix: { backbone: "" } })),
    expected,
  );
  // A trailing dot given or not: the same prefix.
  assert.deepEqual(
    pairs(adjustedKeys(BACKBONE_HEAD, { ckptToModelPrefix: { "backbone.": "" } })),
    expected,
  );
});

Deno.test("adjustedKeys: an empty checkpoint prefix puts the model prefix before every key", () => {
  assert.deepEqual(
    pairs(adjustedKeys(["0.weight", "0.bias"], { ckptToModelPrefix: { "": "encoder" } })),
    [["0.bias", "encoder.0.bias"], ["0.weight", "encoder.0.weight"]],
  );
});

Deno.test("adjustedKeys: several prefixes map together; others are left out", () => {
  const keys = ["enc.fc.weight", "dec.fc.weight", "aux.weight"];
  assert.deepEqual(
    pairs(adjustedKeys(keys, { ckptToModelPrefix: { enc: "encoder", "dec.": "decoder." } })),
    [["dec.fc.weight", "decoder.fc.weight"], ["enc.fc.weight", "encoder.fc.weight"]],
  );
});

Deno.test("adjustedKeys: a prefix is replaced only at the start of a key", () => {
  // Lighter's str.replace("0.", "") would turn 0.0.weight into weight; the prefix is the leading
  // "0." only.
  assert.deepEqual(
    pairs(adjustedKeys(["0.0.weight", "0.3.bias", "1.weight"], { ckptToModelPrefix: { "0": "" } })),
    [["0.0.weight", "0.weight"], ["0.3.bias", "3.bias"]],
  );
});

Deno.test("adjustedKeys: layersToIgnore drops a key or a module's keys, after the mapping", () => {
  assert.deepEqual(
    pairs(adjustedKeys(BACKBONE_HEAD, { layersToIgnore: ["head"] })),
    [["backbone.0.bias", "backbone.0.bias"], ["backbone.0.weight", "backbone.0.weight"]],
  );
  assert.deepEqual(
    pairs(adjustedKeys(BACKBONE_HEAD, { layersToIgnore: ["head.weight"] })).map(([k]) => k),
    ["backbone.0.bias", "backbone.0.weight", "head.bias"],
  );
  assert.deepEqual(
    pairs(
      adjustedKeys(BACKBONE_HEAD, {
        ckptToModelPrefix: { backbone: "" },
        layersToIgnore: ["0.bias"],
      }),
    ),
    [["backbone.0.weight", "0.weight"]],
  );
});

Deno.test("adjustedKeys: prefixes and names that match nothing are errors with the closest names", () => {
  assert.throws(
    () => adjustedKeys(BACKBONE_HEAD, { ckptToModelPrefix: { backbon: "" } }),
    /no checkpoint key starts with 'backbon\.' \(ckptToModelPrefix\)\. Did you mean 'backbone' or/,
  );
  // Not at the start of the key: no match (Lighter's substring test would take a.b.weight).
  assert.throws(
    () => adjustedKeys(["a.b.weight"], { ckptToModelPrefix: { b: "" } }),
    /no checkpoint key starts with 'b\.'.*Checkpoint keys: a\.b\.weight/,
  );
  assert.throws(
    () => adjustedKeys(BACKBONE_HEAD, { layersToIgnore: ["hed"] }),
    /layersToIgnore names 'hed', which is not a checkpoint key or module.*Did you mean 'head/,
  );
  assert.throws(
    () => adjustedKeys(["a.w", "b.w"], { ckptToModelPrefix: { a: "x", b: "x" } }),
    /checkpoint keys 'a\.w' and 'b\.w' both map to 'x\.w'/,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => adjustedKeys(BACKBONE_HEAD, { ckptToModelPrefix: ["backbone"] as any }),
    /option 'ckptToModelPrefix' must map checkpoint prefixes to model prefixes/,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => adjustedKeys(BACKBONE_HEAD, { layersToIgnore: "head" as any }),
    /option 'layersToIgnore' must be a list of key or module names, got "head"/,
  );
});

/** A pretraining model: Sequential(Sequential(Linear 2→3), Linear 3→4); keys 0.0.*, 1.*. */
function pretrainedNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 3 })),
    new nn.Linear({ inFeatures: 3, outFeatures: 4 }),
  );
}

Deno.test("a lumen .ckpt: model. removed, optimizer state left out, backbone loaded by prefix", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lumen_pretrained_" });
  try {
    const source = pretrainedNet();
    const tensors: Record<string, ReturnType<typeof tensor>> = {};
    for (const [k, t] of Object.entries(source.stateDict())) tensors[`model.${k}`] = t;
    tensors["optimizer.state.0.exp_avg"] = tensor([[9, 9], [9, 9], [9, 9]]);
    await writeCheckpoint(`${dir}/best.ckpt`, { tensors, meta: { epoch: 3 } });

    // The backbone alone (keys 0.weight, 0.bias) takes 0.0.* of the checkpoint.
    const backbone = new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 3 }));
    const lines = captureStderr(() => {
      const out = adjustPrefixAndLoadStateDict({
        model: backbone,
        ckptPath: `${dir}/best.ckpt`,
        ckptToModelPrefix: { "0": "" },
      });
      assert.equal(out, backbone, "returns the model it was given");
    });
    assert.deepEqual(lines, [], "every key matched: nothing to report");
    const want = source.stateDict();
    const got = backbone.stateDict();
    assert.deepEqual(await got["0.weight"].data(), await want["0.0.weight"].data());
    assert.deepEqual(await got["0.bias"].data(), await want["0.0.bias"].data());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a safetensors state dict: unmatched keys reported on stderr, or an error when strict", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lumen_pretrained_" });
  try {
    const source = pretrainedNet();
    await save(`${dir}/weights.safetensors`, source.stateDict());
    // A new head (1.*) of another size: ignored; the model has a 2.* layer the file lacks.
    const model = new nn.Sequential(
      new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 3 })),
      new nn.ReLU(),
      new nn.Linear({ inFeatures: 3, outFeatures: 5 }),
    );
    const lines = captureStderr(() =>
      adjustPrefixAndLoadStateDict({
        model,
        ckptPath: `${dir}/weights.safetensors`,
        layersToIgnore: ["1"],
      })
    );
    assert.deepEqual(lines, [
      `adjustPrefixAndLoadStateDict: loaded 2 of 4 model keys from ${dir}/weights.safetensors; ` +
      "missing (kept as initialised): 2.weight, 2.bias",
    ]);
    assert.deepEqual(
      await model.stateDict()["0.0.weight"].data(),
      await source.stateDict()["0.0.weight"].data(),
    );
    assert.throws(
      () =>
        adjustPrefixAndLoadStateDict({
          model,
          ckptPath: `${dir}/weights.safetensors`,
          layersToIgnore: ["1"],
          strict: true,
        }),
      /strict loading of .*weights\.safetensors failed; missing keys: 2\.weight, 2\.bias/,
    );
    // Without ignoring it, the old head's shape does not fit the new one: the key is named.
    assert.throws(
      () =>
        adjustPrefixAndLoadStateDict({
          model: new nn.Sequential(
            new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 3 })),
            new nn.Linear({ inFeatures: 3, outFeatures: 5 }),
          ),
          ckptPath: `${dir}/weights.safetensors`,
        }),
      /weights\.safetensors: loadStateDict\(\): '1\.weight' has shape \[4,3\], the module expects \[5,3\]/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("no overlap, a missing file and an unknown option are errors that say so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lumen_pretrained_" });
  try {
    await save(`${dir}/w.safetensors`, pretrainedNet().stateDict());
    assert.throws(
      () =>
        adjustPrefixAndLoadStateDict({
          model: new nn.Linear({ inFeatures: 2, outFeatures: 3 }),
          ckptPath: `${dir}/w.safetensors`,
        }),
      (e: Error) => {
        assert.match(e.message, /no overlap between the checkpoint's and the model's state dict/);
        assert.match(e.message, /\nModel keys: weight, \.\.\., bias\n/);
        assert.match(e.message, /\nCheckpoint keys: 0\.0\.weight, \.\.\., 1\.bias$/);
        return true;
      },
    );
    assert.throws(
      () =>
        adjustPrefixAndLoadStateDict({
          model: new nn.Linear({ inFeatures: 2, outFeatures: 3 }),
          ckptPath: `${dir}/nope.ckpt`,
        }),
      /adjustPrefixAndLoadStateDict: checkpoint file not found: .*nope\.ckpt/,
    );
    assert.throws(
      () =>
        adjustPrefixAndLoadStateDict(
          {
            model: new nn.Linear({ inFeatures: 2, outFeatures: 3 }),
            ckptPath: `${dir}/w.safetensors`,
            ckptToModelPrefx: {},
          } as unknown as Parameters<typeof adjustPrefixAndLoadStateDict>[0],
        ),
      /adjustPrefixAndLoadStateDict has no option 'ckptToModelPrefx'\. Did you mean 'ckptToModelPrefix'\?/,
    );
    assert.throws(
      () =>
        adjustPrefixAndLoadStateDict({
          model: {} as nn.Linear,
          ckptPath: `${dir}/w.safetensors`,
        }),
      /option 'model' must be a Module/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("from a config: _target_ lumen.adjustPrefixAndLoadStateDict with snake_case options", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lumen_pretrained_" });
  try {
    const source = pretrainedNet();
    await save(`${dir}/w.safetensors`, source.stateDict());
    await Deno.writeTextFile(
      `${dir}/model.yaml`,
      `model:
  _target_: lumen.adjustPrefixAndLoadStateDict
  ckpt_path: ${dir}/w.safetensors
  ckpt_to_model_prefix: {"0": ""}
  model:
    _target_: lumen.nn.Sequential
    layers:
      - _target_: lumen.nn.Linear
        in_features: 2
        out_features: 3
`,
    );
    const config = await Config.load(`${dir}/model.yaml`);
    const model = config.resolve("model") as nn.Sequential;
    assert.ok(model instanceof nn.Sequential);
    assert.deepEqual(
      await model.stateDict()["0.bias"].data(),
      await source.stateDict()["0.0.bias"].data(),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
