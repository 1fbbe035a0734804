/**
 * Seeded randomness of the data pipeline. Every draw is a pure function of (seed, epoch, sample
 * index, draw number), never of which thread or in what order samples were made: a loader with
 * workers produces the same shuffles and the same augmentations as one without, across runs.
 *
 * @module
 */

/** murmur3's finaliser: a bijective 32-bit mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixes any number of 32-bit words into one. */
export function mixSeed(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) h = fmix32((h ^ fmix32((w >>> 0) + 0x7f4a7c15)) + 0x6a09e667);
  return h;
}

/** A small, fast generator (splitmix32) for one stream of draws. */
export class RandomStream {
  #state: number;

  /** A stream keyed by any words: `new RandomStream(seed, epoch, index)`. */
  constructor(...key: number[]) {
    this.#state = mixSeed(...key);
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    return fmix32(this.#state) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** A permutation of 0..n-1 drawn from (seed, epoch): Fisher-Yates over one stream. */
export function permutation(n: number, seed: number, epoch = 0): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const r = new RandomStream(seed, epoch, 0x5f3759df);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

// Random transforms read the stream of the sample being made. Datasets apply their transform
// synchronously right after decoding and loaders make one sample at a time per thread, so a
// module-level "current" stream is safe and spares every getItem an extra argument.
let current: RandomStream | null = null;
let fallback = new RandomStream(0, 0, 0);

/**
 * Runs `fn` with the stream of sample `index` of `epoch` under `seed` as the current one. When
 * `fn` returns a promise (an async `getItem`), the stream stays current until it settles; the
 * loader never makes two samples at once on one thread, so nothing else sees it meanwhile.
 */
export function withSampleRandom<T>(
  seed: number,
  epoch: number,
  index: number,
  fn: () => T,
): T {
  const previous = current;
  current = new RandomStream(seed, epoch, index);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    current = previous;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      current = previous;
    }) as T;
  }
  current = previous;
  return result;
}

/** The stream random transforms draw from: the current sample's, else a global seeded one. */
export function sampleRandom(): RandomStream {
  return current ?? fallback;
}

/** Reseeds the stream used outside a loader (a dataset indexed directly). */
export function seedTransforms(seed: number): void {
  fallback = new RandomStream(seed, 0, 0);
}

/** The stream of one sample, as `withSampleRandom` would set it (for batched GPU transforms). */
export function streamFor(seed: number, epoch: number, index: number): RandomStream {
  return new RandomStream(seed, epoch, index);
}

/** Runs `fn` (synchronous) with `stream` as the current one: batched transforms draw per sample. */
export function withStream<T>(stream: RandomStream, fn: () => T): T {
  const previous = current;
  current = stream;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** Key word that separates the batched-transform stream of a sample from its per-sample one. */
export const BATCH_STREAM = 0x62617463;
