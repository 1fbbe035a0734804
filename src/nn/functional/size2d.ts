/** The size type of 2-D windowed ops (convolution, pooling). */

/** One size for both spatial dims, or [height, width]. */
export type Size2d = number | readonly [number, number];
