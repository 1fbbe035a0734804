/**
 * A stand-in `lumen` namespace for the runner tests: the real one plus a System and a Trainer
 * that record what the runner calls on them.
 */
import * as lumen from "../../mod.ts";

/** Records the hyperparameters it is given. */
export class FakeLogger {
  params: Record<string, unknown>[] = [];
  logHyperparams(params: Record<string, unknown>): Promise<void> {
    this.params.push(params);
    return Promise.resolve();
  }
}

/** Keeps its options and the hyperparameters saved. */
export class FakeSystem {
  static instances: FakeSystem[] = [];
  hparams: Record<string, unknown>[] = [];
  constructor(readonly options: Record<string, unknown> = {}) {
    FakeSystem.instances.push(this);
  }
  saveHyperparameters(raw: Record<string, unknown>): void {
    this.hparams.push(raw);
  }
}

/** One call of a stage method. */
export interface StageCall {
  stage: string;
  system: unknown;
  options: Record<string, unknown>;
}

/** Records each stage call; validate/test return fixed metrics, predict two step outputs. */
export class FakeTrainer {
  static instances: FakeTrainer[] = [];
  calls: StageCall[] = [];
  loggers: FakeLogger[];
  constructor(readonly options: { loggers?: number; maxEpochs?: number } = {}) {
    this.loggers = Array.from({ length: options.loggers ?? 0 }, () => new FakeLogger());
    FakeTrainer.instances.push(this);
  }
  #call(stage: string, system: unknown, options: Record<string, unknown>): void {
    this.calls.push({ stage, system, options });
  }
  fit(system: unknown, options: Record<string, unknown>): Promise<void> {
    this.#call("fit", system, options);
    return Promise.resolve();
  }
  validate(system: unknown, options: Record<string, unknown>): Promise<Record<string, number>[]> {
    this.#call("validate", system, options);
    return Promise.resolve([{ "val/loss/epoch": 0.5 }]);
  }
  test(system: unknown, options: Record<string, unknown>): Promise<Record<string, number>[]> {
    this.#call("test", system, options);
    return Promise.resolve([{ "test/loss/epoch": 0.25 }]);
  }
  predict(system: unknown, options: Record<string, unknown>): Promise<unknown[] | undefined> {
    this.#call("predict", system, options);
    return Promise.resolve(options.returnPredictions ? [{ pred: 1 }, { pred: 2 }] : undefined);
  }
}

/** Clears the recorded instances. */
export function resetFakes(): void {
  FakeSystem.instances = [];
  FakeTrainer.instances = [];
}

/** The scope option of `run()` that puts the fakes in place of lumen.System and lumen.Trainer. */
export const FAKE_SCOPE: Record<string, unknown> = {
  lumen: { ...lumen, System: FakeSystem, Trainer: FakeTrainer },
};
