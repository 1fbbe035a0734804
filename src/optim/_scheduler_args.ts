/** The two constructor forms every scheduler takes, split and checked. */
import { Optimizer } from "./optimizer.ts";
import type { AnyOptimizer } from "./lr_scheduler.ts";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return value.constructor?.name ?? "an object";
}

/**
 * Splits the two constructor forms, `(optimizer, options)` and `({optimizer, ...options})`, and
 * checks option names against `known`.
 */
export function schedulerArgs<O extends object>(
  name: string,
  known: readonly string[],
  args: readonly [first: AnyOptimizer | (O & { optimizer: AnyOptimizer }), second?: O],
): { optimizer: AnyOptimizer; options: O } {
  const [first, second] = args;
  let optimizer: unknown;
  let options: O;
  if (first instanceof Optimizer) {
    optimizer = first;
    options = second ?? ({} as O);
  } else if (first && typeof first === "object" && "optimizer" in first) {
    if (second !== undefined) {
      throw new TypeError(
        `${name} takes either (optimizer, options) or one options object with 'optimizer', got both`,
      );
    }
    const { optimizer: o, ...rest } = first;
    optimizer = o;
    options = rest as unknown as O;
  } else optimizer = first;
  if (!(optimizer instanceof Optimizer)) {
    throw new TypeError(`${name} expects an optimizer, got ${describe(optimizer)}`);
  }
  for (const key of Object.keys(options!)) {
    if (!known.includes(key) && key !== "lastEpoch") {
      throw new TypeError(
        `${name} has no option '${key}'; expected one of: optimizer, ${
          [...known, "lastEpoch"].join(", ")
        }`,
      );
    }
  }
  return { optimizer, options: options! };
}
