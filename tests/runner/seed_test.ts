import assert from "node:assert/strict";
import { manualSeed, rand, run, seedEverything } from "../../mod.ts";
import { FAKE_SCOPE, FakeTrainer, resetFakes } from "./fake_lumen.ts";
import { fixture, withEnv } from "./helpers.ts";

const FAKE = fixture("fake.yaml");

/** The first draws after `manualSeed(seed)`: what seedEverything must reproduce. */
async function drawsAfter(seed: number): Promise<number[]> {
  manualSeed(seed);
  return Array.from(await rand([4]).data());
}

async function draws(): Promise<number[]> {
  return Array.from(await rand([4]).data());
}

const NONE = { PL_GLOBAL_SEED: undefined, LUMEN_SEED: undefined };

Deno.test("seedEverything: the argument, else PL_GLOBAL_SEED, else LUMEN_SEED, else 0", async () => {
  const expected = {
    7: await drawsAfter(7),
    11: await drawsAfter(11),
    13: await drawsAfter(13),
    0: await drawsAfter(0),
  };
  assert.notDeepEqual(expected[7], expected[11], "different seeds draw differently");
  await withEnv({ PL_GLOBAL_SEED: "11", LUMEN_SEED: "13" }, async () => {
    assert.equal(seedEverything(7), 7);
    assert.deepEqual(await draws(), expected[7]);
    assert.equal(seedEverything(), 11);
    assert.deepEqual(await draws(), expected[11]);
  });
  await withEnv({ PL_GLOBAL_SEED: undefined, LUMEN_SEED: "13" }, async () => {
    assert.equal(seedEverything(), 13);
    assert.deepEqual(await draws(), expected[13]);
  });
  await withEnv({ PL_GLOBAL_SEED: "", LUMEN_SEED: " 13 " }, () => {
    assert.equal(seedEverything(), 13, "an empty variable is unset; spaces are trimmed");
  });
  await withEnv(NONE, async () => {
    manualSeed(99);
    assert.equal(seedEverything(), 0);
    assert.deepEqual(await draws(), expected[0]);
  });
});

Deno.test("seedEverything: the largest seed is 2^32-1", () => {
  assert.equal(seedEverything(4294967295), 4294967295);
});

Deno.test("seedEverything: invalid seeds are errors naming their source", async () => {
  for (const bad of [1.5, -1, 4294967296, NaN]) {
    assert.throws(() => seedEverything(bad), (e: Error) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /the seed must be an integer from 0 to 4294967295, got/);
      return true;
    });
  }
  for (
    const [name, value] of [["PL_GLOBAL_SEED", "abc"], ["LUMEN_SEED", "1.5"], ["LUMEN_SEED", "-3"]]
  ) {
    await withEnv({ ...NONE, [name]: value }, () => {
      assert.throws(
        () => seedEverything(),
        (e: Error) => {
          assert.ok(e instanceof RangeError);
          assert.equal(
            e.message,
            `seedEverything: the environment variable ${name} must be an integer from 0 to ` +
              `4294967295, got ${JSON.stringify(value)}`,
          );
          return true;
        },
      );
    });
  }
  await withEnv({ ...NONE, PL_GLOBAL_SEED: "4294967296" }, () => {
    assert.throws(() => seedEverything(), /PL_GLOBAL_SEED must be an integer from 0 to 4294967295/);
  });
});

Deno.test("run() seeds before anything: options.seed, else PL_GLOBAL_SEED; a bad seed stops it", async () => {
  const expected5 = await drawsAfter(5);
  const expected6 = await drawsAfter(6);
  await withEnv({ PL_GLOBAL_SEED: "6", LUMEN_SEED: undefined }, async () => {
    await run("fit", FAKE, [], { scope: FAKE_SCOPE, seed: 5 });
    assert.deepEqual(await draws(), expected5);
    await run("fit", FAKE, [], { scope: FAKE_SCOPE });
    assert.deepEqual(await draws(), expected6);
  });
  await withEnv({ PL_GLOBAL_SEED: "x" }, async () => {
    resetFakes();
    await assert.rejects(() => run("fit", FAKE, [], { scope: FAKE_SCOPE }), /PL_GLOBAL_SEED must/);
    assert.equal(FakeTrainer.instances.length, 0);
  });
});
