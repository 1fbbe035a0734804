/**
 * The metrics of one mode by name, as Lighter's `MetricCollection`: a list names each metric by
 * its class, a dict by its keys.
 *
 * @module
 */
import type { Metric } from "../metrics/metric.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { isDict, show } from "./_describe.ts";

/** One mode's metrics as a config gives them: one Metric, a list, or a dict by name. */
export type MetricsOption = Metric | readonly Metric[] | Readonly<Record<string, Metric>>;

/** Whether `value` has a Metric's methods (checked by shape, so any Metric subclass fits). */
export function isMetric(value: unknown): value is Metric {
  if (value === null || typeof value !== "object") return false;
  const m = value as Record<string, unknown>;
  return ["update", "compute", "reset", "forward"].every((k) => typeof m[k] === "function");
}

function metricName(metric: Metric): string {
  const name = (metric as { name?: unknown }).name;
  return typeof name === "string" && name ? name : metric.constructor.name;
}

/**
 * The metrics of `value` by name, or null when there are none (null, an empty list or dict).
 * `owner` (`System.metrics.train`) names the option in errors; two metrics of one class in a list
 * are an error (torchmetrics: "Encountered two metrics both named ...").
 */
export function metricCollection(owner: string, value: unknown): Record<string, Metric> | null {
  if (value === undefined || value === null) return null;
  const out: Record<string, Metric> = {};
  const expected = "a Metric (update, compute, reset, forward), a list of Metrics or a dict of " +
    "Metrics by name";
  if (isMetric(value)) out[metricName(value)] = value;
  else if (Array.isArray(value)) {
    value.forEach((m, i) => {
      if (!isMetric(m)) throw new TypeError(`${owner}[${i}] must be a Metric, got ${show(m)}`);
      const name = metricName(m);
      if (name in out) {
        throw new Error(
          `${owner}: Encountered two metrics both named ${name} (a list names each metric by ` +
            `its class); use a dict to name them, e.g. {${name}_1: ..., ${name}_2: ...}`,
        );
      }
      out[name] = m;
    });
  } else if (isDict(value)) {
    for (const [name, m] of Object.entries(value)) {
      if (!isMetric(m)) throw new TypeError(`${owner}.${name} must be a Metric, got ${show(m)}`);
      out[name] = m;
    }
  } else throw new TypeError(`${owner} must be ${expected}, got ${show(value)}`);
  return Object.keys(out).length ? out : null;
}

/**
 * One function that runs `forward` of every metric with the same arguments and returns the batch
 * values by name: what the metrics adapter calls, as Lighter's adapter calls the collection.
 */
export function forwardAll(
  metrics: Readonly<Record<string, Metric>>,
): (...args: unknown[]) => Record<string, Tensor> {
  return (...args: unknown[]) => {
    const out: Record<string, Tensor> = {};
    for (const [name, metric] of Object.entries(metrics)) {
      out[name] = (metric.forward as (...a: unknown[]) => Tensor).apply(metric, args);
    }
    return out;
  };
}
