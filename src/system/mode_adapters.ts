/**
 * The adapters of each mode: what a config gives under `system::adapters::<mode>` (checked, with
 * Lighter's defaults for the rest, by `modeAdapters` in _mode_adapters.ts).
 *
 * @module
 */

/**
 * The adapters one mode uses (test has no criterion, predict neither criterion nor metrics):
 * anything with the `call` of `BatchAdapter`, `CriterionAdapter`, `MetricsAdapter` and
 * `LoggingAdapter`.
 */
export interface ModeAdapters {
  /** Splits the batch into `[input, target, identifier]`. */
  batch: { call(batch: unknown): [input: unknown, target: unknown, identifier: unknown] };
  /** Calls the criterion with input, target and pred in place (train and val). */
  criterion?: {
    call(
      fn: (...args: never[]) => unknown,
      input: unknown,
      target: unknown,
      pred: unknown,
    ): unknown;
  };
  /** Calls the metrics with input, target and pred in place (train, val and test). */
  metrics?: {
    call(
      fn: (...args: never[]) => unknown,
      input: unknown,
      target: unknown,
      pred: unknown,
    ): unknown;
  };
  /** Transforms the step output's `[input, target, pred]`. */
  logging: { call(input: unknown, target: unknown, pred: unknown): [unknown, unknown, unknown] };
}

/**
 * The adapters a config may give for one mode. Each is an adapter object (a `BatchAdapter`, ...,
 * or anything with the same `call`), or a plain function used as that `call`.
 */
export interface ModeAdaptersOption {
  /** `BatchAdapter`, or `(batch) => [input, target, identifier]`. */
  batch?: ModeAdapters["batch"] | ((batch: never) => [unknown, unknown, unknown]) | null;
  /** `CriterionAdapter`, or `(criterion, input, target, pred) => loss`. */
  criterion?:
    | ModeAdapters["criterion"]
    | ((fn: (...args: never[]) => unknown, input: never, target: never, pred: never) => unknown)
    | null;
  /** `MetricsAdapter`, or `(metrics, input, target, pred) => values`. */
  metrics?:
    | ModeAdapters["metrics"]
    | ((fn: (...args: never[]) => unknown, input: never, target: never, pred: never) => unknown)
    | null;
  /** `LoggingAdapter`, or `(input, target, pred) => [input, target, pred]`. */
  logging?:
    | ModeAdapters["logging"]
    | ((input: never, target: never, pred: never) => [unknown, unknown, unknown])
    | null;
}
