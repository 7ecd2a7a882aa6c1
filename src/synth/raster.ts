/**
 * Float pixel planes and anti-aliased drawing into them. Shapes are drawn as coverage (the
 * fraction of each pixel a shape covers, 0..1) from distance functions, so thin lines and small
 * discs look like optics made them, and the same coverage yields the exact ground-truth mask.
 *
 * Pixel (i, j) spans [i, i+1) x [j, j+1); its centre is (i + 0.5, j + 0.5). Planes are row-major.
 * Multi-channel buffers are interleaved (HWC), the layout sharp reads and writes.
 */

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A single-channel plane filled with `value`. */
export function plane(size: Size, value = 0): Float32Array {
  return new Float32Array(size.width * size.height).fill(value);
}

/**
 * Coverage of a pixel by a band of half-width `halfWidth` whose centre line passes `distance` from
 * the pixel centre: the overlap of [d - 0.5, d + 0.5] with [-hw, hw]. Exact for axis-aligned bands
 * and close otherwise; unlike clamp(hw + 0.5 - d), it keeps sub-pixel lines faint instead of
 * inflating them to a full pixel.
 */
function bandCoverage(distance: number, halfWidth: number): number {
  const overlap = Math.min(distance + 0.5, halfWidth) - Math.max(distance - 0.5, -halfWidth);
  return overlap <= 0 ? 0 : overlap >= 1 ? 1 : overlap;
}

/**
 * Draw a polyline into `coverage` (max-combined, so joints are not counted twice). The stroke's
 * half-width is interpolated linearly between the per-point `halfWidths`, which lets lines taper.
 */
export function strokePath(coverage: Float32Array, size: Size, points: readonly Point[], halfWidths: readonly number[]): void {
  for (let s = 0; s + 1 < points.length; s++) {
    const a = points[s];
    const b = points[s + 1];
    const ha = halfWidths[s];
    const hb = halfWidths[s + 1];
    const reach = Math.max(ha, hb) + 1;
    const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - reach));
    const x1 = Math.min(size.width - 1, Math.ceil(Math.max(a.x, b.x) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - reach));
    const y1 = Math.min(size.height - 1, Math.ceil(Math.max(a.y, b.y) + reach));
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const lengthSquared = dx * dx + dy * dy || 1e-12;
    for (let j = y0; j <= y1; j++) {
      const py = j + 0.5 - a.y;
      for (let i = x0; i <= x1; i++) {
        const px = i + 0.5 - a.x;
        const t = Math.min(1, Math.max(0, (px * dx + py * dy) / lengthSquared));
        const ex = px - t * dx;
        const ey = py - t * dy;
        const distance = Math.sqrt(ex * ex + ey * ey);
        const c = bandCoverage(distance, ha + t * (hb - ha));
        const k = j * size.width + i;
        if (c > coverage[k]) coverage[k] = c;
      }
    }
  }
}

/**
 * Fill the shape whose signed distance (negative inside, in pixels) is `signedDistance`, within
 * the box [x0, x1] x [y0, y1]. `feather` widens the edge ramp for soft shapes such as stains; 1
 * gives a crisp anti-aliased edge. Max-combined into `coverage`.
 */
export function fillShape(
  coverage: Float32Array,
  size: Size,
  box: { x0: number; y0: number; x1: number; y1: number },
  signedDistance: (x: number, y: number) => number,
  feather = 1,
): void {
  const i0 = Math.max(0, Math.floor(box.x0));
  const i1 = Math.min(size.width - 1, Math.ceil(box.x1));
  const j0 = Math.max(0, Math.floor(box.y0));
  const j1 = Math.min(size.height - 1, Math.ceil(box.y1));
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      const c = Math.min(1, Math.max(0, 0.5 - signedDistance(i + 0.5, j + 0.5) / feather));
      const k = j * size.width + i;
      if (c > coverage[k]) coverage[k] = c;
    }
  }
}

/** Fill an anti-aliased disc of `radius` px at `centre`, max-combined into `coverage`. */
export function fillDisc(coverage: Float32Array, size: Size, centre: Point, radius: number): void {
  const box = { x0: centre.x - radius - 1, y0: centre.y - radius - 1, x1: centre.x + radius + 1, y1: centre.y + radius + 1 };
  fillShape(coverage, size, box, (x, y) => Math.sqrt((x - centre.x) ** 2 + (y - centre.y) ** 2) - radius);
}

/** Separable Gaussian blur of an interleaved buffer, edges clamped. Returns a new buffer. */
export function gaussianBlur(data: Float32Array, size: Size, channels: number, sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let k = -radius; k <= radius; k++) total += kernel[k + radius] = Math.exp((-k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k] /= total;

  const { width, height } = size;
  const stride = width * channels;
  // Horizontally, one channel at a time: neighbours are `channels` apart; clamp only near edges.
  const across = new Float32Array(data.length);
  for (let j = 0; j < height; j++) {
    const row = j * stride;
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < width; i++) {
        let sum = 0;
        if (i >= radius && i < width - radius) {
          const centre = row + i * channels + c;
          for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] * data[centre + k * channels];
        } else {
          for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] * data[row + Math.min(width - 1, Math.max(0, i + k)) * channels + c];
        }
        across[row + i * channels + c] = sum;
      }
    }
  }
  // Vertically, whole rows at a time: contiguous reads, one weight per row.
  const out = new Float32Array(data.length);
  for (let j = 0; j < height; j++) {
    const row = j * stride;
    for (let k = -radius; k <= radius; k++) {
      const source = Math.min(height - 1, Math.max(0, j + k)) * stride;
      const weight = kernel[k + radius];
      for (let x = 0; x < stride; x++) out[row + x] += weight * across[source + x];
    }
  }
  return out;
}

/** Ground-truth mask: 255 where coverage reaches `threshold`, else 0. */
export function binarize(coverage: Float32Array, threshold: number): Uint8Array {
  const mask = new Uint8Array(coverage.length);
  for (let k = 0; k < coverage.length; k++) mask[k] = coverage[k] >= threshold ? 255 : 0;
  return mask;
}
