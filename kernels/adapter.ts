/**
 * Whether the WebGPU adapter lumen runs on is a real GPU or a CPU rasterizer (Mesa's llvmpipe /
 * lavapipe, SwiftShader). Kernels are picked by it (convolutions through im2col and the matmul on
 * a GPU, direct kernels on a CPU adapter), and the benches size their work by it: matmul up to
 * 4096 and many steps per round on a GPU, 256..1024 and few steps on a CPU adapter.
 *
 * @module
 */
/** Adapter descriptions of software (CPU) WebGPU implementations. */
const CPU_ADAPTER = /llvmpipe|lavapipe|swiftshader|software|softpipe|microsoft basic render/i;

/**
 * Whether `description` (`lumen.deviceInfo().description`) names a real GPU; an empty one counts
 * as a CPU adapter.
 */
export function isRealGpu(description: string): boolean {
  return description.trim() !== "" && !CPU_ADAPTER.test(description);
}
