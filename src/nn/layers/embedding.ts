/** `nn.Embedding`: a learned lookup table of vectors. */
import type { Tensor } from "../../tensor/tensor.ts";
import { zeros } from "../../tensor/creation.ts";
import { mapElementwise } from "../../ops/_run.ts";
import { embedding } from "../functional/embedding.ts";
import * as init from "../init.ts";
import { Module } from "../module.ts";
import { checkInt } from "./_params.ts";
import { checkOptions } from "../../util/options.ts";

/** Options of `nn.Embedding`. */
export interface EmbeddingLayerOptions {
  /** Number of rows (vocabulary size). */
  numEmbeddings: number;
  /** Size of each vector. */
  embeddingDim: number;
  /** A row that starts at zero and gets no gradient (negative counts from the end). */
  paddingIdx?: number;
}

/** Every option name of `EmbeddingLayerOptions` (add a name here when adding an option above). */
const EMBEDDING_OPTIONS = [
  "numEmbeddings",
  "embeddingDim",
  "paddingIdx",
] as const satisfies readonly (keyof EmbeddingLayerOptions)[];

/**
 * `weight` [numEmbeddings, embeddingDim] drawn from N(0, 1) (PyTorch's default); int32 indices of
 * any shape pick rows, giving [...indices.shape, embeddingDim].
 *
 * @example
 * ```ts
 * import { nn, tensor } from "lumen";
 * const emb = new nn.Embedding({ numEmbeddings: 100, embeddingDim: 8 });
 * console.log(emb.call(tensor(new Int32Array([4, 2, 4]))).shape); // [3, 8]
 * ```
 */
export class Embedding extends Module {
  /** Rows of the table. */
  readonly numEmbeddings: number;
  /** Size of each row. */
  readonly embeddingDim: number;
  /** The padding row (non-negative), if any. */
  readonly paddingIdx: number | undefined;
  /** [numEmbeddings, embeddingDim] */
  declare weight: Tensor;

  /** Checks the options; draws the table from N(0, 1) (the `paddingIdx` row 0), as torch does. */
  constructor(options: EmbeddingLayerOptions) {
    super();
    checkOptions("Embedding", options, EMBEDDING_OPTIONS);
    this.numEmbeddings = checkInt("Embedding", "numEmbeddings", options?.numEmbeddings, 1);
    this.embeddingDim = checkInt("Embedding", "embeddingDim", options.embeddingDim, 1);
    const pad = options.paddingIdx;
    if (pad !== undefined) {
      if (!Number.isInteger(pad) || pad >= this.numEmbeddings || pad < -this.numEmbeddings) {
        throw new Error(
          `Embedding: paddingIdx must be an integer in [-${this.numEmbeddings}, ${this.numEmbeddings}), got ${pad}`,
        );
      }
      this.paddingIdx = pad < 0 ? pad + this.numEmbeddings : pad;
    }
    let weight = init.normal(zeros([this.numEmbeddings, this.embeddingDim]));
    if (this.paddingIdx !== undefined) {
      const drawn = weight;
      weight = mapElementwise(`select(x0, 0.0, c0 == ${this.paddingIdx}u)`, [drawn]);
      drawn.dispose();
    }
    this.registerParameter("weight", weight);
  }

  /** int32 indices [...] → [..., embeddingDim]. */
  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  /** The layer's settings for `toString`. */
  override extraRepr(): string {
    const pad = this.paddingIdx === undefined ? "" : `, padding_idx=${this.paddingIdx}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}${pad}`;
  }
}
