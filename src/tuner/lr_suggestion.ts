/**
 * `lrSuggestion`: Lightning's `_LRFinder.suggestion()`, the learning rate at the steepest descent
 * of the loss curve, computed as Lightning computes it (in float32, with `torch.gradient`'s
 * second-order differences on the uneven learning-rate spacing), so it picks the same point.
 *
 * @module
 */

/** Options of {@link lrSuggestion} (Lightning's `suggestion()` arguments). */
export interface LrSuggestionOptions {
  /** Points skipped at the start, where the loss barely moves (default 10). */
  skipBegin?: number;
  /**
   * Points skipped at the end, where the loss may blow up (default 1). As in Python slicing,
   * 0 leaves no point (`losses[10:-0]` is empty).
   */
  skipEnd?: number;
}

/** The point {@link lrSuggestion} picks. */
export interface LrSuggestion {
  /** Its index in the recorded learning rates and losses. */
  index: number;
  /** Its learning rate. */
  lr: number;
}

const f32 = Math.fround;

/** `torch.gradient(y, spacing=[x])` in float32: second-order inside, first-order at the ends. */
function gradient(y: readonly number[], x: readonly number[]): number[] {
  const n = y.length;
  const dx = Array.from({ length: n - 1 }, (_, i) => f32(x[i + 1] - x[i]));
  const out = new Array<number>(n);
  out[0] = f32(f32(y[1] - y[0]) / dx[0]);
  out[n - 1] = f32(f32(y[n - 1] - y[n - 2]) / dx[n - 2]);
  for (let i = 1; i < n - 1; i++) {
    const d1 = dx[i - 1], d2 = dx[i];
    const a = f32(-d2 / f32(d1 * f32(d1 + d2)));
    const b = f32(f32(d2 - d1) / f32(d1 * d2));
    const c = f32(d1 / f32(d2 * f32(d1 + d2)));
    out[i] = f32(f32(f32(a * y[i - 1]) + f32(b * y[i])) + f32(c * y[i + 1]));
  }
  return out;
}

/** `torch.argmin`: the first NaN if there is one, else the first smallest value. */
function argmin(values: readonly number[]): number {
  let best = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) return i;
    if (values[i] < values[best]) best = i;
  }
  return best;
}

/**
 * The learning rate at the steepest negative gradient of the loss with respect to the learning
 * rate, as Lightning's `suggestion(skip_begin=10, skip_end=1)`: the first `skipBegin` and last
 * `skipEnd` points are dropped, then the points whose loss is not finite in float32; with fewer
 * than 2 points left there is no suggestion (null).
 *
 * @example
 * ```ts
 * import { tuner } from "lumen";
 * const lrs = Array.from({ length: 20 }, (_, i) => 10 ** (-4 + i / 5));
 * const losses = lrs.map((lr) => 1 / (1 + 1e3 * lr));
 * console.log(tuner.lrSuggestion(lrs, losses)); // { index: 10, lr: 0.01 }
 * ```
 */
export function lrSuggestion(
  lrs: readonly number[],
  losses: readonly number[],
  options: LrSuggestionOptions = {},
): LrSuggestion | null {
  if (lrs.length !== losses.length) {
    throw new RangeError(
      `lrSuggestion: ${lrs.length} learning rates but ${losses.length} losses; they pair up`,
    );
  }
  const skipBegin = options.skipBegin ?? 10, skipEnd = options.skipEnd ?? 1;
  for (const [name, v] of [["skipBegin", skipBegin], ["skipEnd", skipEnd]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`lrSuggestion: '${name}' must be an integer >= 0, got ${v}`);
    }
  }
  // Python's `losses[skip_begin:-skip_end]`: `-0` is the start, so skip_end 0 keeps nothing.
  const end = skipEnd === 0 ? 0 : losses.length - skipEnd;
  const kept: number[] = [];
  for (let i = skipBegin; i < end; i++) {
    if (Number.isFinite(f32(losses[i]))) kept.push(i);
  }
  if (kept.length < 2) return null;
  const grads = gradient(kept.map((i) => f32(losses[i])), kept.map((i) => f32(lrs[i])));
  const index = kept[argmin(grads)];
  return { index, lr: lrs[index] };
}
