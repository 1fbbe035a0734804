/**
 * The strategy seam: how work is spread over devices. A Deno process sees one WebGPU adapter, so
 * today there is one strategy, a single device; data-parallel processes (one per GPU, gradients
 * averaged between them) would implement the same interface.
 *
 * @module
 */

/** How the trainer spreads a fit over devices. */
export interface Strategy {
  /** The strategy's name (`single_device`). */
  readonly name: string;
  /** Processes taking part. */
  readonly worldSize: number;
  /** This process's rank, from 0. */
  readonly globalRank: number;
  /** Combines host values across processes (the identity on one device). */
  reduce(values: Readonly<Record<string, number>>): Record<string, number>;
}

/** One process, one device: nothing to combine. */
export class SingleDeviceStrategy implements Strategy {
  /** Always `single_device`. */
  readonly name = "single_device";
  /** One process. */
  readonly worldSize = 1;
  /** Rank 0. */
  readonly globalRank = 0;
  /** Returns a copy of `values`. */
  reduce(values: Readonly<Record<string, number>>): Record<string, number> {
    return { ...values };
  }
}
