/** The global generator of `rand`, `randn`, dropout and initialisation: a seed and a counter. */

let seed = 0x2545f491;
let offset = 0;

/**
 * Seeds every random draw that follows (as `torch.manual_seed`).
 *
 * @example
 * ```ts
 * import { manualSeed, rand } from "lumen";
 * manualSeed(0);
 * const a = await rand([3]).data();
 * manualSeed(0);
 * const b = await rand([3]).data();
 * console.log(a[0] === b[0]); // true
 * ```
 */
export function manualSeed(value: number): void {
  seed = value >>> 0;
  offset = 0;
}

/** Reserves `count` counters and returns the Philox key and start, as kernel params. */
export function nextRandomParams(count: number): Uint32Array {
  const start = offset;
  offset += Math.max(count, 1);
  return new Uint32Array([seed, 0x9e3779b9, start >>> 0, Math.floor(start / 2 ** 32) >>> 0]);
}
