import { endScope, keep, startScope } from "./scope.ts";
import { Tensor } from "./tensor.ts";

const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/**
 * Runs `fn` and then frees every tensor it made, except those it returns (in an array or plain
 * object too) and those passed to `keep`: device memory is released at once, not at the next GC.
 * An async `fn` is awaited before the scope closes; do not interleave two async scopes.
 *
 * @example
 * ```ts
 * import { memory, tensor, tidy } from "lumen";
 * const x = tensor([1, 2, 3]);
 * const before = memory().liveBytes;
 * const y = tidy(() => x.mul(2).add(1).exp());
 * console.log(memory().liveBytes - before); // 256: one result buffer, of the smallest pool size
 * ```
 */
export function tidy<T>(fn: () => T): T {
  startScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    endScope(undefined, isTensor);
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      (v) => (endScope(v, isTensor), v),
      (e) => {
        endScope(undefined, isTensor);
        throw e;
      },
    ) as T;
  }
  endScope(result, isTensor);
  return result;
}

export { keep };
