/**
 * How a dataset crosses into a Worker: functions and class instances do not survive
 * `postMessage`, so a dataset (and its transform) describes how to rebuild itself as plain data,
 * `{$kind, options}`, and the worker constructs it again. Built-in kinds are looked up in a
 * registry; a user dataset names its module URL and export (`$kind: "module"`).
 *
 * @module
 */

/** A description a worker can rebuild. Nested specs may appear anywhere inside `options`. */
export interface WorkerSpec {
  /** A built-in class name (`"FashionMNIST"`, `"Normalize"`), or `"module"`. */
  $kind: string;
  /** The options object the class is rebuilt with. */
  options: Record<string, unknown>;
  /** For `$kind: "module"`: the module URL (usually `import.meta.url`). */
  module?: string;
  /** For `$kind: "module"`: the exported class name. */
  export?: string;
}

/** Something that can describe itself for a worker. */
export interface WorkerRebuildable {
  /** Its description as plain data. */
  workerSpec(): WorkerSpec;
}
