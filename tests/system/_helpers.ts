/** Shared pieces of the system tests: a recording host, a tiny model with known weights. */
import * as nn from "../../src/nn/mod.ts";
import { full, type Tensor, tensor } from "../../src/tensor/mod.ts";
import { Metric } from "../../src/metrics/metric.ts";
import type { LogOptions, Mode, SystemHost } from "../../src/system/mod.ts";
import { ready } from "../../src/device/default_device.ts";

// These tests import lumen's modules one by one (not mod.ts): acquire the GPU as the runner does.
await ready();

/** One recorded `log` call. */
export interface LogCall {
  name: string;
  value: Tensor | number | Metric;
  options: LogOptions;
}

/** A SystemHost that records every `log` call. */
export class RecordingHost implements SystemHost {
  calls: LogCall[] = [];
  constructor(
    public mode: Mode | null,
    public loggingEnabled = true,
    public currentEpoch = 3,
    public globalStep = 17,
  ) {}
  log(name: string, value: Tensor | number | Metric, options: LogOptions): void {
    this.calls.push({ name, value, options });
  }
  get names(): string[] {
    return this.calls.map((c) => c.name);
  }
  get(name: string): LogCall {
    const call = this.calls.find((c) => c.name === name);
    if (!call) throw new Error(`no log call '${name}' in ${this.names.join(", ")}`);
    return call;
  }
}

/** The mean of the predictions' elements: a tiny Metric on the real base class. */
export class PredMean extends Metric {
  protected emptyState(): Tensor[] {
    return [full([], 0), full([], 0)];
  }
  protected batchState(preds: Tensor, _target: Tensor): Tensor[] {
    return [preds.sum(), full([], preds.size)];
  }
  protected computeFrom(state: readonly Tensor[]): Tensor {
    return state[0].div(state[1]);
  }
}

/** Weights of the 2 → 3 linear model, as plain numbers for reference computations. */
export const W = [[1, 0], [0, 1], [1, 1]];
/** Bias of the model. */
export const B = [0, 0.5, -1];
/** Three inputs. */
export const X = [[1, 2], [-1, 0.5], [0, 0]];
/** Their classes. */
export const Y = [2, 1, 0];

/** nn.Linear(2, 3) holding W and B. */
export function linear(): nn.Linear {
  const model = new nn.Linear({ inFeatures: 2, outFeatures: 3 });
  model.loadStateDict({ weight: tensor(W), bias: tensor(B) });
  return model;
}

/** The logits x·Wᵀ + b of X, computed on the host. */
export function hostLogits(xs: number[][] = X): number[][] {
  return xs.map((x) => W.map((w, j) => w[0] * x[0] + w[1] * x[1] + B[j]));
}

/** Mean cross-entropy of `logits` against `classes`, computed on the host. */
export function hostCrossEntropy(logits: number[][], classes: number[]): number {
  let total = 0;
  logits.forEach((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    total += lse - row[classes[i]];
  });
  return total / logits.length;
}

/** The batch [X, Y] as device tensors. */
export function batch(xs: number[][] = X, ys: number[] = Y): [Tensor, Tensor] {
  return [tensor(xs), tensor(new Int32Array(ys))];
}
