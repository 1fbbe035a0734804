import assert from "node:assert/strict";
import { adapters } from "../../src/system/mod.ts";

const { BatchAdapter, CriterionAdapter, MetricsAdapter, LoggingAdapter } = adapters;

/** Returns its arguments, to see where the adapter put each value. */
const echo = (...args: unknown[]) => args;

Deno.test("BatchAdapter accessors: index, negative index, key, function, null", () => {
  const list = new BatchAdapter({ inputAccessor: 0, targetAccessor: -1, identifierAccessor: 1 });
  assert.deepEqual(list.call(["x", "id", "y"]), ["x", "y", "id"]);
  const dict = new BatchAdapter({
    inputAccessor: "image",
    targetAccessor: (b: { label: number }) => b.label * 2,
  });
  assert.deepEqual(dict.call({ image: "img", label: 4 }), ["img", 8, null]);
  const none = new BatchAdapter({ inputAccessor: null, targetAccessor: null });
  assert.deepEqual(none.call([1, 2]), [null, null, null]);
});

Deno.test("BatchAdapter errors: wrong key, index out of range, accessor that does not fit", () => {
  const byKey = new BatchAdapter({ inputAccessor: "imag" });
  assert.throws(
    () => byKey.call({ image: 1, label: 2 }),
    /BatchAdapter: the batch has no key 'imag'. Did you mean 'image'\? Its keys: image, label/,
  );
  const byIndex = new BatchAdapter({ inputAccessor: 0, targetAccessor: 2 });
  assert.throws(
    () => byIndex.call([1, 2]),
    /BatchAdapter: index 2 is out of range for a batch of 2 elements/,
  );
  assert.throws(
    () => byIndex.call({ a: 1 }),
    { message: "BatchAdapter: Invalid accessor 0 of type number for data type Object." },
  );
  assert.throws(
    () => new BatchAdapter({ inputAccessor: "x" }).call([1]),
    { message: 'BatchAdapter: Invalid accessor "x" of type string for data type Array.' },
  );
});

Deno.test("BatchAdapter options: inputAccessor required, accessor types, unknown names", () => {
  assert.throws(
    () => new BatchAdapter({} as never),
    /BatchAdapter needs the option 'inputAccessor'/,
  );
  assert.throws(
    () => new BatchAdapter(undefined as never),
    /BatchAdapter needs the option 'inputAccessor'/,
  );
  assert.throws(
    () => new BatchAdapter({ inputAccessor: 1.5 }),
    /BatchAdapter option 'inputAccessor' must be an integer index, a string key, a function or null, got number 1.5/,
  );
  assert.throws(
    () => new BatchAdapter({ inputAccessor: 0, targetAcessor: 1 } as never),
    /BatchAdapter has no option 'targetAcessor'. Did you mean 'targetAccessor'\?/,
  );
  assert.throws(() => new BatchAdapter(0 as never), /BatchAdapter takes one options object/);
});

Deno.test("CriterionAdapter places values at their positions, in any order", () => {
  const cases: [Record<string, number>, unknown[]][] = [
    [{ predArgument: 0, targetArgument: 1 }, ["P", "T"]],
    [{ targetArgument: 0, predArgument: 1 }, ["T", "P"]],
    [{ inputArgument: 0, targetArgument: 1, predArgument: 2 }, ["I", "T", "P"]],
    // Lighter's list.insert gives [P, I, T] here; the positions say [P, T, I].
    [{ inputArgument: 2, targetArgument: 1, predArgument: 0 }, ["P", "T", "I"]],
    [{ predArgument: 0 }, ["P"]],
  ];
  for (const [options, expected] of cases) {
    assert.deepEqual(new CriterionAdapter(options).call(echo, "I", "T", "P"), expected);
  }
  assert.deepEqual(new CriterionAdapter().call(echo, "I", "T", "P"), []);
});

Deno.test("CriterionAdapter collects named arguments into one options object passed last", () => {
  const adapter = new CriterionAdapter({
    predArgument: 0,
    targetArgument: "target",
    inputArgument: "input",
  });
  assert.deepEqual(adapter.call(echo, "I", "T", "P"), ["P", { target: "T", input: "I" }]);
  const allNamed = new CriterionAdapter({ predArgument: "preds", targetArgument: "target" });
  assert.deepEqual(allNamed.call(echo, "I", "T", "P"), [{ target: "T", preds: "P" }]);
});

Deno.test("CriterionAdapter positions must be consecutive from 0", () => {
  const bad = [
    { predArgument: 1 },
    { predArgument: 0, targetArgument: 2 },
    { predArgument: 0, targetArgument: 0 },
    { predArgument: -1 },
  ];
  for (const options of bad) {
    assert.throws(
      () => new CriterionAdapter(options),
      /CriterionAdapter: Positional arguments must be consecutive integers starting from 0/,
    );
  }
});

Deno.test("CriterionAdapter transforms need their argument, must be functions, run in order", () => {
  const f = (v: number) => v;
  assert.throws(
    () => new CriterionAdapter({ predArgument: 0, inputTransforms: f }),
    { message: "CriterionAdapter: Input transforms provided but input_argument is None" },
  );
  assert.throws(
    () => new CriterionAdapter({ predArgument: 0, targetTransforms: [f] }),
    { message: "CriterionAdapter: Target transforms provided but target_argument is None" },
  );
  assert.throws(
    () => new CriterionAdapter({ targetArgument: 0, predTransforms: f }),
    { message: "CriterionAdapter: Pred transforms provided but pred_argument is None" },
  );
  assert.throws(
    () => new CriterionAdapter({ predArgument: 0, predTransforms: [f, 3 as never] }),
    { message: "CriterionAdapter: Invalid transform type for transform: 3" },
  );
  const adapter = new CriterionAdapter({
    predArgument: 0,
    targetArgument: 1,
    inputArgument: 2,
    predTransforms: [(p: number) => p + 1, (p: number) => p * 10],
    targetTransforms: (t: number) => -t,
  });
  assert.deepEqual(adapter.call(echo, 5, 2, 3), [40, -2, 5]);
});

Deno.test("CriterionAdapter argument types and option names are checked", () => {
  assert.throws(
    () => new CriterionAdapter({ predArgument: 0.5 }),
    /CriterionAdapter: Invalid predArgument type: number 0.5; expected an integer position, a string name or null/,
  );
  assert.throws(
    () => new CriterionAdapter({ predArgument: true as never }),
    /Invalid predArgument type: boolean true/,
  );
  assert.throws(
    () => new CriterionAdapter({ pred_argument: 0 } as never),
    /CriterionAdapter has no option 'pred_argument'. Did you mean 'predArgument'\?/,
  );
});

Deno.test("MetricsAdapter follows the same rules and names itself in errors", () => {
  const adapter = new MetricsAdapter({
    predArgument: 0,
    targetArgument: 1,
    predTransforms: (p: number[]) => p.length,
  });
  assert.deepEqual(adapter.call(echo, null, "T", [1, 2, 3]), [3, "T"]);
  assert.throws(
    () => new MetricsAdapter({ targetArgument: 1 }),
    /MetricsAdapter: Positional arguments must be consecutive integers starting from 0/,
  );
  assert.throws(
    () => new MetricsAdapter({ inputTransforms: (x: number) => x }),
    { message: "MetricsAdapter: Input transforms provided but input_argument is None" },
  );
  assert.throws(
    () => new MetricsAdapter({ targetTransform: 1 } as never),
    /MetricsAdapter has no option 'targetTransform'. Did you mean 'targetTransforms'/,
  );
});

Deno.test("LoggingAdapter transforms each part; checks its options", () => {
  const adapter = new LoggingAdapter({
    inputTransforms: (i: string) => i.toUpperCase(),
    predTransforms: [(p: number) => p + 1, (p: number) => p * 2],
  });
  assert.deepEqual(adapter.call("in", "t", 1), ["IN", "t", 4]);
  assert.deepEqual(new LoggingAdapter().call(1, 2, 3), [1, 2, 3]);
  assert.throws(
    () => new LoggingAdapter({ predTransforms: "argmax" as never }),
    { message: 'LoggingAdapter: Invalid transform type for transform: "argmax"' },
  );
  assert.throws(
    () => new LoggingAdapter({ predArgument: 0 } as never),
    /LoggingAdapter has no option 'predArgument'/,
  );
});
