/** `BatchAdapter`: where the input, target and identifier are in a batch. */
import { checkOptions, closestNames } from "../util/options.ts";
import { checkOptionsObject, isDict, show, typeName } from "./_describe.ts";

/**
 * Where one part of a batch is: an integer index into an array batch (negative counts from the
 * end), a string key of a dict batch, a function of the whole batch, or null (the part is null).
 * Functions are typed with a `never` parameter so that one of any batch type fits.
 */
export type Accessor = number | string | ((batch: never) => unknown) | null;

/** Options of `BatchAdapter` (YAML: `input_accessor`, `target_accessor`, `identifier_accessor`). */
export interface BatchAdapterOptions {
  /** Where the model's input is (required; null gives a null input). */
  inputAccessor: Accessor;
  /** Where the target is (default null: no target). */
  targetAccessor?: Accessor;
  /** Where the per-sample identifiers are (default null: none). */
  identifierAccessor?: Accessor;
}

/** The three parts a batch adapter takes out of a batch. */
export type BatchParts = [input: unknown, target: unknown, identifier: unknown];

/** What a batch adapter does: splits a batch into input, target and identifier. */
export interface BatchAdapterLike {
  /** Returns `[input, target, identifier]` of `batch`. */
  call(batch: unknown): BatchParts;
}

const BATCH_OPTIONS = ["inputAccessor", "targetAccessor", "identifierAccessor"] as const;

function checkAccessor(name: string, value: unknown): Accessor {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "function") return value as Accessor;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  throw new TypeError(
    `BatchAdapter option '${name}' must be an integer index, a string key, a function or null, ` +
      `got ${typeName(value)} ${show(value)}`,
  );
}

/**
 * Lighter's `BatchAdapter`: takes the input, target and identifier out of a batch, each with its
 * own accessor. An integer indexes an array batch (`[x, y]`), a string is a key of a dict batch
 * (`{image, label}`), a function gets the whole batch, null gives null. A wrong key or an index
 * out of range is an error, and so is an accessor that does not fit the batch (an index into a
 * dict): Lighter's `Invalid accessor ...` error.
 *
 * @example
 * ```ts
 * import { adapters } from "lumen";
 * const byIndex = new adapters.BatchAdapter({ inputAccessor: 0, targetAccessor: 1 });
 * console.log(byIndex.call(["x", "y"])); // ["x", "y", null]
 * const byKey = new adapters.BatchAdapter({
 *   inputAccessor: "image",
 *   targetAccessor: (b: { label: number }) => b.label + 1,
 *   identifierAccessor: "id",
 * });
 * console.log(byKey.call({ image: "img", label: 2, id: "a.png" })); // ["img", 3, "a.png"]
 * ```
 */
export class BatchAdapter implements BatchAdapterLike {
  /** Where the input is. */
  readonly inputAccessor: Accessor;
  /** Where the target is. */
  readonly targetAccessor: Accessor;
  /** Where the identifiers are. */
  readonly identifierAccessor: Accessor;

  /** Checks the option names and accessor types; `inputAccessor` is required. */
  constructor(options: BatchAdapterOptions) {
    checkOptionsObject("BatchAdapter", options, BATCH_OPTIONS);
    checkOptions("BatchAdapter", options, BATCH_OPTIONS);
    if (options === undefined || options === null || !("inputAccessor" in options)) {
      throw new TypeError(
        "BatchAdapter needs the option 'inputAccessor' (an integer index, a string key, a " +
          "function or null)",
      );
    }
    this.inputAccessor = checkAccessor("inputAccessor", options.inputAccessor);
    this.targetAccessor = checkAccessor("targetAccessor", options.targetAccessor);
    this.identifierAccessor = checkAccessor("identifierAccessor", options.identifierAccessor);
  }

  /** Returns `[input, target, identifier]` of `batch` (Lighter's order). */
  call(batch: unknown): BatchParts {
    return [
      access(batch, this.inputAccessor),
      access(batch, this.targetAccessor),
      access(batch, this.identifierAccessor),
    ];
  }
}

function access(data: unknown, accessor: Accessor): unknown {
  if (accessor === null) return null;
  if (typeof accessor === "number" && Array.isArray(data)) {
    const i = accessor < 0 ? data.length + accessor : accessor;
    if (i < 0 || i >= data.length) {
      throw new RangeError(
        `BatchAdapter: index ${accessor} is out of range for a batch of ${data.length} elements`,
      );
    }
    return data[i];
  }
  if (typeof accessor === "string" && isDict(data)) {
    if (!Object.hasOwn(data, accessor)) {
      const keys = Object.keys(data);
      const near = closestNames(accessor, keys);
      const hint = near.length ? ` Did you mean ${near.map((k) => `'${k}'`).join(" or ")}?` : "";
      throw new Error(
        `BatchAdapter: the batch has no key '${accessor}'.${hint} Its keys: ${keys.join(", ")}`,
      );
    }
    return data[accessor];
  }
  if (typeof accessor === "function") return (accessor as (b: unknown) => unknown)(data);
  throw new TypeError(
    `BatchAdapter: Invalid accessor ${show(accessor)} of type ${typeName(accessor)} for data ` +
      `type ${typeName(data)}.`,
  );
}
