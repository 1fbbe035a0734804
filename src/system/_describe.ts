/** Short descriptions of values for the system layer's error messages. */
import { Tensor } from "../tensor/tensor.ts";

/** The type of `value` as a user would name it: `number`, `string`, `Array`, `Tensor`, `null`. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "function";
  if (typeof value !== "object") return typeof value;
  if (Array.isArray(value)) return "Array";
  return (value as object).constructor?.name ?? "Object";
}

/** `value` for a message: strings quoted, functions by name, objects by type, tensors by shape. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `[Function ${value.name || "anonymous"}]`;
  if (value instanceof Tensor) return `Tensor[${value.shape}]`;
  if (value !== null && typeof value === "object") return `<${typeName(value)}>`;
  return String(value);
}

/** Whether `value` is a plain object (a dict), not an array, tensor or class instance. */
export function isDict(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Throws a TypeError unless `options` is an object (or absent), naming the owner's options. */
export function checkOptionsObject(
  owner: string,
  options: unknown,
  known: readonly string[],
): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(
      `${owner} takes one options object {${known.join(", ")}}, got ${show(options)}`,
    );
  }
}
