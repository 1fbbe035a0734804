import assert from "node:assert/strict";
import { camelCase, snakeCase } from "../../src/util/case.ts";

Deno.test("camelCase: underscores before a letter or digit go, that character is upper-cased", () => {
  assert.equal(camelCase("batch_size"), "batchSize");
  assert.equal(camelCase("weight_decay"), "weightDecay");
  assert.equal(camelCase("every_n_train_steps"), "everyNTrainSteps");
  assert.equal(camelCase("T_max"), "TMax");
  assert.equal(camelCase("max__lr"), "maxLr");
  assert.equal(camelCase("lr_2"), "lr2");
  assert.equal(camelCase("use_BN"), "useBN");
});

Deno.test("camelCase keeps leading and trailing underscores and camelCase keys", () => {
  assert.equal(camelCase("_target_"), "_target_");
  assert.equal(camelCase("__private_key"), "__privateKey");
  assert.equal(camelCase("_growth_tracker"), "_growthTracker");
  assert.equal(camelCase("trailing_"), "trailing_");
  assert.equal(camelCase("weightDecay"), "weightDecay");
  assert.equal(camelCase("lr"), "lr");
  assert.equal(camelCase(""), "");
});

Deno.test("snakeCase writes torch's names; camelCase reads them back", () => {
  for (
    const [camel, snake] of [
      ["weightDecay", "weight_decay"],
      ["initialLr", "initial_lr"],
      ["maxLr", "max_lr"],
      ["momentumDecay", "momentum_decay"],
      ["lr", "lr"],
    ]
  ) {
    assert.equal(snakeCase(camel), snake);
    assert.equal(camelCase(snake), camel);
  }
});
