/** The benches size their work by the adapter: see kernels/adapter.ts. @module */
export { isRealGpu } from "../kernels/adapter.ts";
