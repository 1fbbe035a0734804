import type { Tensor } from "./tensor.ts";

const scopes: Set<Tensor>[] = [];

/** Called for every new tensor: the innermost open scope owns it. */
export function track(t: Tensor): void {
  scopes.at(-1)?.add(t);
}

/** Removes a tensor from the open scopes, so that it outlives them. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, into: Set<Tensor>, isTensor: (v: unknown) => v is Tensor): void {
  if (isTensor(value)) into.add(value);
  else if (Array.isArray(value)) { for (const v of value) collect(v, into, isTensor); }
  else if (value && typeof value === "object" && value.constructor === Object) {
    for (const v of Object.values(value)) collect(v, into, isTensor);
  }
}

/** Opens a scope; tensors made until `endScope` are disposed then, unless kept or returned. */
export function startScope(): void {
  scopes.push(new Set());
}

/** Closes the innermost scope, disposing its tensors except those found in `result`. */
export function endScope(result: unknown, isTensor: (v: unknown) => v is Tensor): void {
  const scope = scopes.pop();
  if (!scope) throw new Error("endScope() without a matching startScope()");
  const kept = new Set<Tensor>();
  collect(result, kept, isTensor);
  const parent = scopes.at(-1);
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else t.dispose();
  }
}
