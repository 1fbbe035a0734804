/** The global generator of `rand`, `randn`, dropout and initialisation: a seed and a counter. */

let seed = 0x2545f491;
let offset = 0;
let lastManualSeed = 0;

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
  lastManualSeed = seed;
}

/** The last seed given to `manualSeed` (0 before any): the default seed of DataLoader shuffles. */
export function initialSeed(): number {
  return lastManualSeed;
}

/** The generator's position: its seed and how many counters have been drawn (saved in checkpoints). */
export interface RandomState {
  /** The seed given to `manualSeed`. */
  seed: number;
  /** Counters drawn since. */
  offset: number;
}

/** The generator's current position, to save with a checkpoint. */
export function getRandomState(): RandomState {
  return { seed, offset };
}

/** Puts the generator back where `getRandomState()` found it. */
export function setRandomState(state: RandomState): void {
  seed = state.seed >>> 0;
  offset = state.offset;
}

/** Reserves `count` counters and returns the Philox key and start, as kernel params. */
export function nextRandomParams(count: number): Uint32Array {
  const start = offset;
  offset += Math.max(count, 1);
  return new Uint32Array([seed, 0x9e3779b9, start >>> 0, Math.floor(start / 2 ** 32) >>> 0]);
}
