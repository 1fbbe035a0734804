/**
 * lr_find's plot as a small SVG (Lightning draws it with matplotlib): the loss against the
 * learning rate (a log axis for the exponential sweep), the suggested point in red.
 *
 * @module
 */

const W = 640, H = 420, LEFT = 80, RIGHT = 20, TOP = 40, BOTTOM = 60;

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

/** The SVG of the sweep; `suggestion` is the index of the suggested point, or null. */
export function lrPlotSvg(
  lrs: readonly number[],
  losses: readonly number[],
  logScale: boolean,
  suggestion: number | null,
): string {
  const points = lrs.map((lr, i) => [logScale ? Math.log10(lr) : lr, losses[i], i])
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" ` +
    `viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="14">Learning rate finder</text>`,
    `<line x1="${LEFT}" y1="${H - BOTTOM}" x2="${W - RIGHT}" y2="${H - BOTTOM}" stroke="black"/>`,
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${H - BOTTOM}" stroke="black"/>`,
    `<text x="${(LEFT + W - RIGHT) / 2}" y="${H - 15}" text-anchor="middle">` +
    `Learning rate${logScale ? " (log scale)" : ""}</text>`,
    `<text x="20" y="${(TOP + H - BOTTOM) / 2}" text-anchor="middle" ` +
    `transform="rotate(-90 20 ${(TOP + H - BOTTOM) / 2})">Loss</text>`,
  ];
  if (points.length > 0) {
    const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const px = (x: number): number =>
      LEFT + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * (W - LEFT - RIGHT);
    const py = (y: number): number =>
      H - BOTTOM - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5) * (H - TOP - BOTTOM);
    const lrText = (x: number): string => fmt(logScale ? 10 ** x : x);
    out.push(
      `<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${
        points.map(([x, y]) => `${px(x).toFixed(2)},${py(y).toFixed(2)}`).join(" ")
      }"/>`,
      `<text x="${LEFT}" y="${H - BOTTOM + 18}" text-anchor="middle">${lrText(x0)}</text>`,
      `<text x="${W - RIGHT}" y="${H - BOTTOM + 18}" text-anchor="end">${lrText(x1)}</text>`,
      `<text x="${LEFT - 6}" y="${H - BOTTOM}" text-anchor="end">${fmt(y0)}</text>`,
      `<text x="${LEFT - 6}" y="${TOP + 4}" text-anchor="end">${fmt(y1)}</text>`,
    );
    const s = points.find((p) => p[2] === suggestion);
    if (s) {
      const [cx, cy] = [px(s[0]).toFixed(2), py(s[1]).toFixed(2)];
      out.push(
        `<circle cx="${cx}" cy="${cy}" r="5" fill="red"/>`,
        `<text x="${W - RIGHT}" y="${TOP}" text-anchor="end" fill="red">suggested lr ${
          fmt(lrs[suggestion!])
        }</text>`,
      );
    }
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
