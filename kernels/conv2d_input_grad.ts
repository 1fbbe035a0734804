/**
 * The input gradient as direct forward convolutions over dy (kernels/conv2d_direct.ts): dy plays
 * the input, dx the output, and the weight is transposed and flipped.
 *
 * dx[n, ci, ih, iw] = Σ_(co,kh,kw) w[co, ci, kh, kw] · dy[n, co, oh, ow] over the taps with
 * oh*strideH = ih + padH - kh*dilationH (and likewise along w). With stride 1 every tap reaches
 * every pixel, and dx is one convolution of dy with the flipped weight. With stride s only the
 * taps whose offset is congruent to ih + padH modulo s reach row ih, so the input splits into
 * sH*sW sub-pixel phases (rows offsetH, offsetH + sH, ...; columns likewise): each is a stride-1
 * convolution of dy with its own sub-sampled, flipped weight, and no thread visits a tap that
 * contributes nothing. Phases no tap reaches (a kernel smaller than the stride) get 0.
 *
 * @module
 */
import type { KernelSpec } from "./kernel_spec.ts";
import { type Conv2dGeometry, convSizes, geometryKey } from "./conv2d_geometry.ts";
import { conv2dPackWeightKernel, type OutputLattice, packKernel } from "./conv2d_direct.ts";
import { range } from "./conv2d_window.ts";

/** One dim of a sub-pixel phase. */
export interface PhaseAxis {
  /** The phase's input pixels along this dim: offset, offset + stride, ... (`pixels` of them). */
  offset: number;
  pixels: number;
  /** The kernel taps that reach them: first, first + step, ... (`taps` of them; 0 if none). */
  taps: number;
  first: number;
  step: number;
  /** Padding and dilation of the stride-1 convolution over dy that computes the phase. */
  pad: number;
  dilation: number;
}

/** A sub-pixel phase of the input gradient and the convolution that computes it. */
export interface InputGradPhase {
  h: PhaseAxis;
  w: PhaseAxis;
  /** The convolution over dy giving the phase's pixels; null when no tap reaches them. */
  geometry: Conv2dGeometry | null;
  /** Where its pixels lie in dx; absent when the phase is all of dx (stride 1). */
  lattice?: OutputLattice;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const mod = (a: number, m: number): number => ((a % m) + m) % m;

/**
 * Tap k reaches input pixel offset + stride*i from output pixel origin + i, origin =
 * (offset + pad - k*dilation) / stride, when that divides exactly: for k = first + j*step with
 * step = stride / gcd(stride, dilation), and the outputs of successive taps are dilation / gcd
 * apart. Flipping the taps (j' = taps-1-j) turns this into a stride-1 correlation: output i reads
 * dy at i - pad' + j'*dilation' with pad' = (taps-1)*dilation' - origin(first).
 */
function phaseAxis(
  offset: number,
  size: number,
  stride: number,
  pad: number,
  dilation: number,
  kernel: number,
): PhaseAxis {
  const pixels = Math.ceil((size - offset) / stride);
  const divisor = gcd(stride, dilation);
  const step = stride / divisor, dyDilation = dilation / divisor;
  const reaching = range(kernel).filter((k) => mod(offset + pad - k * dilation, stride) === 0);
  if (reaching.length === 0) {
    return { offset, pixels, taps: 0, first: 0, step, pad: 0, dilation: dyDilation };
  }
  const first = reaching[0], taps = reaching.length;
  const origin = (offset + pad - first * dilation) / stride;
  const flippedPad = (taps - 1) * dyDilation - origin;
  return { offset, pixels, taps, first, step, pad: flippedPad, dilation: dyDilation };
}

/** The stride-1 convolution over dy that computes a phase whose axes both have taps. */
function phaseGeometry(g: Conv2dGeometry, h: PhaseAxis, w: PhaseAxis): Conv2dGeometry {
  return {
    ...g,
    inChannels: g.outChannels,
    height: g.outH,
    width: g.outW,
    outChannels: g.inChannels,
    kernelH: h.taps,
    kernelW: w.taps,
    strideH: 1,
    strideW: 1,
    padH: h.pad,
    padW: w.pad,
    dilationH: h.dilation,
    dilationW: w.dilation,
    outH: h.pixels,
    outW: w.pixels,
  };
}

/** The sub-pixel phases of dx that hold pixels, row phase major; one for stride 1. */
export function inputGradPhases(g: Conv2dGeometry): InputGradPhase[] {
  const strided = g.strideH !== 1 || g.strideW !== 1;
  const phases: InputGradPhase[] = [];
  for (const offsetH of range(Math.min(g.strideH, g.height))) {
    const h = phaseAxis(offsetH, g.height, g.strideH, g.padH, g.dilationH, g.kernelH);
    for (const offsetW of range(Math.min(g.strideW, g.width))) {
      const w = phaseAxis(offsetW, g.width, g.strideW, g.padW, g.dilationW, g.kernelW);
      const { height, width, strideH, strideW } = g;
      phases.push({
        h,
        w,
        geometry: h.taps > 0 && w.taps > 0 ? phaseGeometry(g, h, w) : null,
        lattice: strided ? { height, width, strideH, strideW, offsetH, offsetW } : undefined,
      });
    }
  }
  return phases;
}

/**
 * Repacks the weight for one phase's convolution (conv2dForwardKernel on phase.geometry) as
 * P[co, j'h, j'w, m] = w[z*coutG + co, ci, kh, kw] with m = z*cinG + ci and the phase's taps
 * flipped: kh = first + step*(taps-1-j'h) along h, likewise kw. Bind the weight, then P
 * (Cout * cinG * taps of the phase elements).
 */
export function conv2dPackPhaseWeightKernel(g: Conv2dGeometry, phase: InputGradPhase): KernelSpec {
  const { h, w } = phase;
  // A phase that uses every tap (always at stride 1) is the plain flipped repack.
  if (h.taps === g.kernelH && w.taps === g.kernelW) return conv2dPackWeightKernel(g, true);
  const { cinG, coutG } = convSizes(g);
  const assign = `let ci = m % ${cinG}u;
  let co = (m / ${cinG}u) * ${coutG}u + c;
  let kh = ${h.first + h.step * (h.taps - 1)}u - (tap / ${w.taps}u) * ${h.step}u;
  let kw = ${w.first + w.step * (w.taps - 1)}u - (tap % ${w.taps}u) * ${w.step}u;
  p[i] = w[((co * ${cinG}u + ci) * ${g.kernelH}u + kh) * ${g.kernelW}u + kw];`;
  const taps = `${h.first}+${h.step}x${h.taps},${w.first}+${w.step}x${w.taps}`;
  const key = `conv2d_pack_phase|${geometryKey(g)}|${taps}`;
  return packKernel(key, coutG, h.taps * w.taps, g.inChannels, assign);
}
