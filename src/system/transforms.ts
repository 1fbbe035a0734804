/**
 * Transforms of the adapters: a function, or a list of functions applied in order, that turns
 * the input, target or prediction into what the criterion, a metric or a writer needs (argmax
 * of logits, a sigmoid, a one-hot target).
 *
 * @module
 */

/**
 * One transform: a function of one value. Typed with a `never` parameter so that a function of
 * any argument type (`(t: Tensor) => Tensor`) fits.
 */
export type Transform = (value: never) => unknown;

/** A transform option: one function, a list of them (applied in order), or none. */
export type TransformsOption = Transform | readonly Transform[] | null;
