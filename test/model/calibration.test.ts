/** The calibration rule and the normalized scores it defines. */
import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/model/calibration.js';
import { normalizeScore } from '../../src/model/manifest.js';

describe('calibration', () => {
  it('takes the larger of the empirical quantile and the robust normal fit', () => {
    // Scores 1..100: median 50.5, MAD about 25, robust threshold about 50.5 + 2.326 * 1.4826 * 25 = 136.7,
    // above the 99th percentile (99.01).
    const scores = Array.from({ length: 100 }, (_, i) => i + 1);
    const c = calibrate(scores, new Float32Array([0, 1, 2, 3]));
    expect(c.image.center).toBeCloseTo(50.5, 10);
    expect(c.image.threshold).toBeGreaterThan(50.5 + 2.3263 * 1.4826 * 24.5);
    expect(c.image.threshold).toBeLessThan(50.5 + 2.3263 * 1.4826 * 25.5);
    // One extreme good part: the empirical quantile wins over the fit of the rest.
    // At a 5% rate one part in 100 lies beyond the quantile, and the robust fit ignores it.
    const tailed = [...Array.from({ length: 99 }, (_, i) => 10 + i / 1000), 1000];
    const t = calibrate(tailed, new Float32Array([0]), { falseCallRate: 0.05 });
    expect(t.image.threshold).toBeLessThan(10.2);
    expect(calibrate([...Array(10).fill(1), 1000], new Float32Array([0]), { falseCallRate: 0.01 }).image.threshold).toBeGreaterThan(800);
    expect(c.expectedFalseCallRate).toBe(0.01);
    expect(c.rule).toContain('99.0th percentile');
  });

  it('puts the pixel threshold at the good pixels\' quantile and refuses too few images', () => {
    const pixels = Float32Array.from({ length: 1001 }, (_, i) => i / 1000);
    const c = calibrate([1, 2, 3], pixels, { pixelFalseRate: 0.01 });
    expect(c.pixel.threshold).toBeCloseTo(0.99, 6);
    expect(c.pixel.center).toBeCloseTo(0.5, 6);
    expect(() => calibrate([1], pixels)).toThrow(/at least 2 held-out good images/);
  });

  it('refuses held-out images that all score alike (no spread, no threshold)', () => {
    expect(() => calibrate([0.7, 0.7, 0.7], new Float32Array([0, 1]))).toThrow(/all score 0.7: a threshold needs a spread/);
  });

  it('normalized scores put every threshold at 0.5, the center at 0, and clamp', () => {
    const t = { threshold: 3, center: 1 };
    expect(normalizeScore(3, t)).toBe(0.5);
    expect(normalizeScore(1, t)).toBe(0);
    expect(normalizeScore(2, t)).toBe(0.25);
    expect(normalizeScore(10, t)).toBe(1);
    expect(normalizeScore(-5, t)).toBe(0);
  });
});
