import type { Tensor } from "../tensor/tensor.ts";

/** A recorded operation: its inputs and the rule that maps the output's gradient to theirs. */
export interface GradNode {
  /** Op name, for error messages and debugging. */
  readonly name: string;
  /** The tensors the op read, in order. */
  readonly inputs: readonly Tensor[];
  /** Gradients for each input (null where an input needs none), given the output's gradient. */
  readonly backward: (grad: Tensor) => (Tensor | null)[];
  /** Tensors the op made only for its backward; freed when the graph is released. */
  readonly saved?: readonly Tensor[];
}
