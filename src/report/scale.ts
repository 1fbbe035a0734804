/**
 * Linear scales with "nice" ticks (1, 2, 5 times a power of ten) for the report's charts.
 *
 * @module
 */

/** A linear map from a data interval onto a pixel interval. */
export interface LinearScale {
  /** The data interval, widened to whole ticks. */
  domain: [number, number];
  /** The pixel interval (`range[0]` is where `domain[0]` lands). */
  range: [number, number];
  /** The tick values, inside the domain. */
  ticks: number[];
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Rounds away float noise (0.30000000000000004 → 0.3). */
function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/**
 * A scale covering `[min, max]` with about `count` ticks; the domain is widened to the ticks
 * around it. A single value gets a unit-wide (or 10%-wide) domain around it.
 */
export function linearScale(
  min: number,
  max: number,
  range: [number, number],
  count = 5,
): LinearScale {
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [0, 1];
  if (min === max) {
    const pad = min === 0 ? 0.5 : Math.abs(min) * 0.1;
    [min, max] = [min - pad, max + pad];
  }
  const step = niceStep(max - min, count);
  const lo = Math.floor(clean(min / step)), hi = Math.ceil(clean(max / step));
  const ticks: number[] = [];
  for (let i = lo; i <= hi; i++) ticks.push(clean(i * step));
  return { domain: [ticks[0], ticks[ticks.length - 1]], range, ticks };
}

/** The pixel position of `v`. */
export function scaleValue(s: LinearScale, v: number): number {
  const [d0, d1] = s.domain, [r0, r1] = s.range;
  return r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** A tick label: up to 6 significant digits, exponent form for very large or small values. */
export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return Number(v.toPrecision(6)).toExponential();
  return String(Number(v.toPrecision(6)));
}
