/**
 * Logged values, kept on the device. A step's values wait as device tensors until a row is
 * logged; epoch values are summed on the device (weighted by batch size) or computed by their
 * Metric at the epoch's end. `flush()` packs every pending value into one tensor and starts ONE
 * readback that the step loop does not wait for; `epochEnd()` does the same and awaits it. A
 * readback costs ~11 ms whatever its size, so the count of reads is what this keeps low.
 *
 * @module
 */
import type { Metric } from "../metrics/metric.ts";
import type { LogOptions } from "../system/host.ts";
import { Tensor } from "../tensor/tensor.ts";
import { keep } from "../tensor/tidy.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { packValues } from "../ops/pack.ts";

/** One row for the loggers: values by key, at `step`, with `epoch` when the row has one. */
export interface MetricsRow {
  values: Record<string, number>;
  step: number;
  epoch?: number;
  /** False for a step that is read only for the callbacks (not a logged row). */
  logged?: boolean;
}

type Value = Tensor | number;

interface PendingRow {
  values: Map<string, Value>;
  step: number;
  epoch?: number;
  logged?: boolean;
}

interface EpochEntry {
  sum: Value;
  weight: number;
  metric?: Metric;
}

function isMetric(v: unknown): v is Metric {
  return typeof v === "object" && v !== null && typeof (v as Metric).compute === "function" &&
    typeof (v as Metric).reset === "function";
}

function release(v: Value): void {
  if (v instanceof Tensor) v.dispose();
}

/** A scalar view of a logged tensor that outlives the caller's tidy scope. */
function hold(t: Tensor): Tensor {
  if (t.size !== 1) {
    throw new Error(`Only one-element tensors can be logged, got shape [${t.shape}]`);
  }
  return keep(t.share([])); // share() makes a view outside the graph over the same memory
}

/**
 * The values logged in one loop (train, or one evaluation run), as Lightning's result collection.
 */
export class Results {
  #step = new Map<string, Value>();
  #epoch = new Map<string, EpochEntry>();
  #rows: PendingRow[] = [];
  #unlogged: Map<string, Value> = new Map();
  #reads: Promise<void> = Promise.resolve();
  readonly #sink: (rows: MetricsRow[]) => void | Promise<void>;

  /** `sink` gets the rows in order, once their values are on the host. */
  constructor(sink: (rows: MetricsRow[]) => void | Promise<void>) {
    this.#sink = sink;
  }

  /** Records `value` under `name` for this step and/or the epoch; reads nothing back. */
  log(name: string, value: Value | Metric, options: LogOptions): void {
    if (options.onStep) {
      if (isMetric(value)) throw new Error(`'${name}': a Metric can only be logged per epoch`);
      const prev = this.#step.get(name);
      if (prev !== undefined) release(prev);
      this.#step.set(name, value instanceof Tensor ? hold(value) : value);
    }
    if (!options.onEpoch) return;
    const entry = this.#epoch.get(name);
    if (isMetric(value)) {
      if (entry && entry.metric !== value) {
        throw new Error(`'${name}' was logged with two different Metric objects in one epoch`);
      }
      if (!entry) this.#epoch.set(name, { sum: 0, weight: 0, metric: value });
      return;
    }
    const weight = options.batchSize;
    if (value instanceof Tensor) {
      const v = hold(value);
      const next = noGrad(() => {
        const weighted = v.mul(weight);
        if (entry === undefined || !(entry.sum instanceof Tensor)) return weighted;
        const s = entry.sum.add(weighted);
        weighted.dispose();
        return s;
      });
      v.dispose();
      if (entry) release(entry.sum);
      this.#epoch.set(name, { sum: keep(next), weight: (entry?.weight ?? 0) + weight });
    } else {
      const sum = (typeof entry?.sum === "number" ? entry.sum : 0) + value * weight;
      this.#epoch.set(name, { sum, weight: (entry?.weight ?? 0) + weight });
    }
  }

  /**
   * Ends a step: with `row`, its step values become a logged row (read at the next flush);
   * without, they replace the previous unlogged step's values, kept only for a callback that
   * asks for the newest values (`flush(true)`).
   */
  endStep(row?: { step: number; epoch?: number }): void {
    if (row && this.#step.size) {
      this.#rows.push({ values: this.#step, step: row.step, ...epochOf(row) });
    } else if (this.#step.size) {
      this.#dropUnlogged();
      this.#unlogged = this.#step;
    }
    this.#step = new Map();
  }

  /** Rows waiting for a read. */
  get pendingRows(): number {
    return this.#rows.length;
  }

  /**
   * Starts one readback of every pending row; the sink gets them when it resolves. With
   * `newest`, the last step's values are read too when they were not a logged row (a callback
   * that decides on step values, such as ModelCheckpoint every_n_train_steps, asks for them).
   */
  flush(newest = false): Promise<void> {
    const rows = this.#rows;
    this.#rows = [];
    if (newest && this.#unlogged.size) {
      rows.push({ values: this.#unlogged, step: -1, logged: false });
      this.#unlogged = new Map();
    }
    if (rows.length === 0) return this.#reads;
    const read = readValues(rows.flatMap((r) => [...r.values.values()]));
    this.#reads = this.#reads.then(async () => await this.#sink(hostRows(rows, await read)));
    return this.#reads;
  }

  /**
   * Ends the epoch: reads every pending row and the epoch values (means of tensors and numbers,
   * `compute()` of metrics, which are then reset) in one readback, gives the sink the rows and
   * then the epoch row, and returns the epoch values.
   */
  async epochEnd(row: { step: number; epoch?: number }): Promise<Record<string, number>> {
    this.endStep();
    this.#dropUnlogged();
    const entries = [...this.#epoch];
    this.#epoch = new Map();
    const computed = noGrad(() =>
      entries.map(([, e]) => (e.metric ? keep(e.metric.compute()) : e.sum))
    );
    for (const [, e] of entries) e.metric?.reset();
    const rows = this.#rows;
    this.#rows = [];
    const all = [...rows.flatMap((r) => [...r.values.values()]), ...computed];
    const read = readValues(all);
    for (const [, e] of entries) if (e.metric) release(e.sum);
    let epochValues: Record<string, number> = {};
    this.#reads = this.#reads.then(async () => {
      const numbers = await read;
      const out = hostRows(rows, numbers);
      let i = numbers.length - entries.length;
      epochValues = {};
      entries.forEach(([key, e]) => {
        const v = numbers[i++];
        epochValues[key] = e.metric ? v : v / (e.weight || 1);
      });
      if (entries.length) out.push({ values: epochValues, ...row });
      await this.#sink(out);
    });
    await this.#reads;
    return epochValues;
  }

  /** Drops every value without reading it (after a sanity check, or on failure). */
  discard(): void {
    for (const v of this.#step.values()) release(v);
    this.#dropUnlogged();
    for (const r of this.#rows) for (const v of r.values.values()) release(v);
    for (const e of this.#epoch.values()) {
      release(e.sum);
      e.metric?.reset();
    }
    this.#step = new Map();
    this.#rows = [];
    this.#epoch = new Map();
  }

  /** Frees the newest unlogged step's values. */
  #dropUnlogged(): void {
    for (const v of this.#unlogged.values()) release(v);
    this.#unlogged = new Map();
  }

  /** Waits for every started read. */
  settled(): Promise<void> {
    return this.#reads;
  }
}

/** The rows with their values from `numbers` (read in row order, from the start). */
function hostRows(rows: readonly PendingRow[], numbers: readonly number[]): MetricsRow[] {
  let i = 0;
  return rows.map((r) => {
    const values: Record<string, number> = {};
    for (const key of r.values.keys()) values[key] = numbers[i++];
    return {
      values,
      step: r.step,
      ...epochOf(r),
      ...(r.logged === false ? { logged: false } : {}),
    };
  });
}

function epochOf(r: { epoch?: number }): { epoch?: number } {
  return r.epoch === undefined ? {} : { epoch: r.epoch };
}

/** Reads tensors (one packed readback) and numbers; disposes the tensors. */
async function readValues(values: Value[]): Promise<number[]> {
  const tensors = values.filter((v): v is Tensor => v instanceof Tensor);
  let host: Float32Array = new Float32Array(0);
  if (tensors.length) {
    const packed = packValues(tensors);
    for (const t of tensors) t.dispose();
    const data = packed.data();
    packed.dispose();
    const raw = await data;
    host = raw instanceof Float32Array ? raw : new Float32Array(raw.buffer);
  }
  let k = 0;
  return values.map((v) => (v instanceof Tensor ? host[k++] : v));
}
