/** A mode's adapters: the ones a config gives, checked, over Lighter's defaults. */
import { checkOptions } from "../util/options.ts";
import type { Mode } from "./host.ts";
import { isDict, show } from "./_describe.ts";
import { BatchAdapter } from "./batch_adapter.ts";
import { CriterionAdapter, MetricsAdapter } from "./arguments_adapter.ts";
import { LoggingAdapter } from "./logging_adapter.ts";
import type { ModeAdapters } from "./mode_adapters.ts";

/** The adapter keys each mode knows (Lighter's `Train`/`Val`/`Test`/`Predict` dataclasses). */
export const MODE_ADAPTER_KEYS: Readonly<Record<Mode, readonly (keyof ModeAdapters)[]>> = {
  train: ["batch", "criterion", "metrics", "logging"],
  val: ["batch", "criterion", "metrics", "logging"],
  test: ["batch", "metrics", "logging"],
  predict: ["batch", "logging"],
};

/** Lighter's default adapters of `mode`. */
export function defaultAdapters(mode: Mode): ModeAdapters {
  if (mode === "predict") {
    return {
      batch: new BatchAdapter({ inputAccessor: (batch: unknown) => batch }),
      logging: new LoggingAdapter(),
    };
  }
  const out: ModeAdapters = {
    batch: new BatchAdapter({ inputAccessor: 0, targetAccessor: 1 }),
    metrics: new MetricsAdapter({ predArgument: 0, targetArgument: 1 }),
    logging: new LoggingAdapter(),
  };
  if (mode !== "test") out.criterion = new CriterionAdapter({ predArgument: 0, targetArgument: 1 });
  return out;
}

function adapterObject<T>(owner: string, value: unknown, expected: string): T {
  if (typeof value === "function") {
    const fn = value as (...a: unknown[]) => unknown;
    return { call: (...a: unknown[]) => fn(...a) } as T;
  }
  if (value !== null && typeof value === "object") {
    const call = (value as { call?: unknown }).call;
    if (typeof call === "function") return value as T;
  }
  throw new TypeError(`${owner} must be ${expected} (or a function), got ${show(value)}`);
}

const EXPECTED: Record<keyof ModeAdapters, string> = {
  batch: "a BatchAdapter",
  criterion: "a CriterionAdapter",
  metrics: "a MetricsAdapter",
  logging: "a LoggingAdapter",
};

/** The adapters of `mode`: the given ones (checked) over Lighter's defaults. */
export function modeAdapters(mode: Mode, given: unknown): ModeAdapters {
  const out = defaultAdapters(mode);
  if (given === undefined || given === null) return out;
  const owner = `System.adapters.${mode}`;
  if (!isDict(given)) {
    throw new TypeError(
      `${owner} must be a dict of adapters {${MODE_ADAPTER_KEYS[mode].join(", ")}}, got ` +
        show(given),
    );
  }
  checkOptions(owner, given, MODE_ADAPTER_KEYS[mode]);
  for (const key of MODE_ADAPTER_KEYS[mode]) {
    const value = given[key];
    if (value === undefined || value === null) continue;
    (out as unknown as Record<string, unknown>)[key] = adapterObject(
      `${owner}.${key}`,
      value,
      EXPECTED[key],
    );
  }
  return out;
}
