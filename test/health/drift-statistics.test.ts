/** The pieces drift watch is built from, against values worked out by hand: quality measures, the reference's CDF, the tests. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { measureQuality } from '../../src/health/image-quality.js';
import { buildReference, referenceCdf } from '../../src/health/reference.js';
import { betaBinomialUpperTail, ksCriticalDistance, ksDistance } from '../../src/health/two-sample.js';
import { decodeToSize } from '../../src/image/decode.js';

const planar = (width: number, height: number, value: (x: number, y: number) => number) => {
  const data = new Float32Array(3 * width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[c * width * height + y * width + x] = value(x, y);
  return data;
};

describe('measureQuality', () => {
  it('gives a flat grey its level, no contrast, no focus and no clipping', () => {
    const q = measureQuality(planar(16, 16, () => 0.4), 16, 16);
    expect(q.brightness).toBeCloseTo(0.4, 6);
    expect(q.contrast).toBeCloseTo(0, 6);
    expect(q.focus).toBeCloseTo(0, 6);
    expect(q.saturation).toBe(0);
  });

  it('counts clipped pixels and sees a checkerboard as sharp', () => {
    const q = measureQuality(planar(16, 16, (x, y) => (x + y) % 2), 16, 16);
    expect(q.saturation).toBe(1);
    expect(q.contrast).toBeCloseTo(0.5, 6);
    // every interior Laplacian is +-4: variance 16
    expect(q.focus).toBeCloseTo(16, 4);
  });

  it('loses focus, and only focus, when the same image is blurred', async () => {
    const pixels = Buffer.alloc(64 * 64 * 3);
    for (let p = 0; p < 64 * 64; p++) pixels.fill(((p % 64) >> 3) % 2 === 0 ? 60 : 190, p * 3, p * 3 + 3);
    const sharpPng = await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
    const blurredPng = await sharp(sharpPng).blur(2).png().toBuffer();
    const [a, b] = await Promise.all([sharpPng, blurredPng].map(async (png) => {
      const decoded = await decodeToSize(png, 'original');
      return measureQuality(decoded.data, decoded.width, decoded.height);
    }));
    expect(b.focus).toBeLessThan(a.focus / 3);
    expect(b.brightness).toBeCloseTo(a.brightness, 2);
  });
});

describe('the reference and the two-sample tests', () => {
  const values = Array.from({ length: 101 }, (_, i) => i / 100);
  const quantiles = buildReference(values.map((v) => ({ rawScore: v, quality: { brightness: v, contrast: 0, focus: v, saturation: 0 } }))).brightness;

  it('reads the CDF between quantiles, and left of an atom', () => {
    expect(referenceCdf(quantiles, 0.25)).toBeCloseTo(0.25, 6);
    expect(referenceCdf(quantiles, -1)).toBe(0);
    expect(referenceCdf(quantiles, 2)).toBe(1);
    const atom = new Array(21).fill(0);
    expect(referenceCdf(atom, 0)).toBe(1);
    expect(referenceCdf(atom, 0, true)).toBe(0);
  });

  it('puts a sample like the reference near zero, a moved one at one, and a sample on an atom at zero', () => {
    expect(ksDistance(values, quantiles)).toBeLessThan(0.02);
    expect(ksDistance(values.map((v) => v + 2), quantiles)).toBe(1);
    expect(ksDistance(new Array(50).fill(0), new Array(21).fill(0))).toBe(0);
    // conditioned below 0.5, the lower half of the sample matches the reference
    expect(ksDistance(values.filter((v) => v < 0.5), quantiles, 0.5)).toBeLessThan(0.03);
    expect(ksDistance(values.filter((v) => v < 0.5), quantiles)).toBeGreaterThan(0.45);
  });

  it('has the textbook critical distance and beta-binomial tail', () => {
    // c(0.05) = 1.358 for two samples of 100
    expect(ksCriticalDistance(0.05, 100, 100)).toBeCloseTo(1.3581 * Math.sqrt(0.02), 3);
    // Beta(1, 1): every count of 0..n equally likely
    expect(betaBinomialUpperTail(3, 10, 1, 1)).toBeCloseTo(8 / 11, 10);
    expect(betaBinomialUpperTail(0, 10, 1, 1)).toBe(1);
    // a rate known very well: the binomial's P(X >= 2) for n = 3, p = 0.5
    expect(betaBinomialUpperTail(2, 3, 1e6, 1e6)).toBeCloseTo(0.5, 4);
    // an uncertain baseline makes the same count less surprising
    expect(betaBinomialUpperTail(9, 100, 22.5, 978.5)).toBeGreaterThan(betaBinomialUpperTail(9, 100, 2250.5, 97_750.5));
  });
});
