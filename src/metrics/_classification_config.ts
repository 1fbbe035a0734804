/** Checks the classification metrics' options once, with torchmetrics' rules. */
import { checkOptions } from "../util/options.ts";
import type { ClassificationConfig, ClassificationOptions, Task } from "./_options.ts";

/** The option names of the classification metrics. */
export const CLASSIFICATION_OPTIONS: readonly string[] = [
  "task",
  "numClasses",
  "threshold",
  "topK",
  "average",
];

const TASKS: readonly string[] = ["binary", "multiclass"];
const AVERAGES: readonly string[] = ["micro", "macro", "weighted", "none"];

function quoted(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(", ");
}

/** Throws unless `value` is one of `allowed`, naming the owner and the option. */
export function checkChoice(
  owner: string,
  option: string,
  value: unknown,
  allowed: readonly string[],
): void {
  if (typeof value === "string" && allowed.includes(value)) return;
  throw new TypeError(
    `${owner} option '${option}' must be one of ${quoted(allowed)}, got ${JSON.stringify(value)}`,
  );
}

/**
 * Checks the option names against `known`, then `task` (and `numClasses` for multiclass); shared
 * by every classification metric.
 */
export function checkTask(
  owner: string,
  options: { task?: unknown; numClasses?: unknown } | undefined,
  known: readonly string[],
): { task: Task; numClasses: number } {
  if (options === undefined || options === null || typeof options !== "object") {
    throw new TypeError(
      `${owner} needs an options object with 'task' (${quoted(TASKS)}), got ${String(options)}`,
    );
  }
  checkOptions(owner, options, known);
  checkChoice(owner, "task", options.task, TASKS);
  const task = options.task as Task;
  if (task === "binary") return { task, numClasses: 2 };
  const n = options.numClasses;
  if (n === undefined || n === null) {
    throw new TypeError(`${owner} with task "multiclass" needs the option 'numClasses'`);
  }
  if (typeof n !== "number" || !Number.isInteger(n) || n < 2) {
    throw new TypeError(
      `${owner} option 'numClasses' must be an integer of at least 2, got ${JSON.stringify(n)}`,
    );
  }
  return { task, numClasses: n };
}

/** Validates the options of a classification metric and fills in the defaults. */
export function classificationConfig(
  owner: string,
  options: ClassificationOptions,
  known: readonly string[] = CLASSIFICATION_OPTIONS,
): ClassificationConfig {
  const { task, numClasses } = checkTask(owner, options, known);
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== "number" || !(threshold >= 0 && threshold <= 1)) {
    throw new TypeError(
      `${owner} option 'threshold' must be a number in [0, 1], got ${JSON.stringify(threshold)}`,
    );
  }
  const topK = options.topK ?? 1;
  if (typeof topK !== "number" || !Number.isInteger(topK) || topK < 1) {
    throw new TypeError(
      `${owner} option 'topK' must be an integer of at least 1, got ${JSON.stringify(topK)}`,
    );
  }
  if (task === "binary" && topK !== 1) {
    throw new TypeError(`${owner} option 'topK' applies to task "multiclass" only, got ${topK}`);
  }
  if (topK > numClasses) {
    throw new TypeError(
      `${owner} option 'topK' (${topK}) must not exceed 'numClasses' (${numClasses})`,
    );
  }
  const average = options.average ?? "micro";
  checkChoice(owner, "average", average, AVERAGES);
  return { task, numClasses, threshold, topK, average };
}
