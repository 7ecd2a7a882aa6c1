/** AUPRO by hand, at its extremes, and against a slow, literal implementation of the definition. */
import { describe, expect, it } from 'vitest';
import { aupro, type ScoredMask } from '../../src/metrics/aupro.js';
import { Random } from '../../src/util/random.js';
import { floodFill } from './flood-fill.js';

function image(width: number, height: number, scores: number[], mask: number[]): ScoredMask {
  return { width, height, scores: Float32Array.from(scores), mask: Uint8Array.from(mask) };
}

/**
 * The definition, literally: for each distinct score t (highest first), PRO(t) is the mean over
 * regions of their fraction scoring >= t and FPR(t) the fraction of normal pixels scoring >= t;
 * the curve starts at (0, 0) and is integrated as MVTec AD's `trapezoid(x, y, x_max)` does
 * (bisect for the first point at or past x_max, interpolate there, cut off). O(thresholds · pixels).
 */
function slowAupro(images: readonly ScoredMask[], maxFpr: number): number {
  const regions: number[][] = [];
  const normals: number[] = [];
  for (const { width, height, scores, mask } of images) {
    const labels = floodFill(mask, width, height);
    const first = regions.length;
    for (let p = 0; p < labels.length; p++) {
      if (labels[p] === 0) normals.push(scores[p]);
      else (regions[first + labels[p] - 1] ??= []).push(scores[p]);
    }
  }
  return integrate(curve(regions, normals, images), maxFpr);
}

function curve(regions: number[][], normals: number[], images: readonly ScoredMask[]): { x: number[]; y: number[] } {
  const thresholds = [...new Set(images.flatMap((i) => Array.from(i.scores)))].sort((a, b) => b - a);
  const x = [0];
  const y = [0];
  for (const t of thresholds) {
    x.push(normals.filter((s) => s >= t).length / normals.length);
    y.push(regions.reduce((sum, r) => sum + r.filter((s) => s >= t).length / r.length, 0) / regions.length);
  }
  return { x, y };
}

function integrate({ x, y }: { x: number[]; y: number[] }, xMax: number): number {
  let correction = 0;
  const ins = x.findIndex((v) => v >= xMax);
  if (x[ins] !== xMax) {
    const yInterp = y[ins - 1] + ((y[ins] - y[ins - 1]) * (xMax - x[ins - 1])) / (x[ins] - x[ins - 1]);
    correction = 0.5 * (yInterp + y[ins - 1]) * (xMax - x[ins - 1]);
  }
  let area = correction;
  for (let k = 1; k < x.length && x[k] <= xMax; k++) area += (0.5 * (y[k] + y[k - 1]) * (x[k] - x[k - 1]));
  return area / xMax;
}

describe('aupro', () => {
  /*
   * Two 4x2 images. A's region R1 is two diagonal pixels (one region under 8-connectivity),
   * area 2; B's region R2 is a 2x2 block, area 4. Ten normal pixels: 0.7, 0.3, 0.2 and seven 0.1.
   *
   *   A scores  0.9 0.2 0.1 0.1   mask  1 0 0 0     B scores  0.8 0.6 0.7 0.1   mask  1 1 0 0
   *             0.3 0.5 0.1 0.1         0 1 0 0               0.5 0.2 0.1 0.1         1 1 0 0
   *
   *   t     R1    R2    PRO                 FP  FPR
   *   0.9   1/2   0     (1/2 + 0)/2   = .25    0  0
   *   0.8   1/2   1/4   (1/2 + 1/4)/2 = .375   0  0
   *   0.7   1/2   1/4   .375                   1  0.1
   *   0.6   1/2   2/4   .5                     1  0.1
   *   0.5   1     3/4   .875                   1  0.1
   *   0.3   1     3/4   .875                   2  0.2
   *   0.2   1     1     1                      3  0.3   (a normal and a defect pixel tie: a diagonal)
   *   0.1   1     1     1                     10  1
   *
   * Area up to FPR 0.3: 0.1·0.375 + 0.1·0.875 + 0.1·(0.875 + 1)/2 = 0.0375 + 0.0875 + 0.09375
   * = 0.21875, normalized: 0.21875 / 0.3 = 0.7291666...
   * Up to 0.25 the last trapezoid is cut at PRO 0.875 + (1 - 0.875)/2 = 0.9375:
   * (0.125 + 0.05·(0.875 + 0.9375)/2) / 0.25 = 0.1703125 / 0.25 = 0.68125.
   * Up to 1 it gains 0.7·1: 0.91875.
   */
  const a = image(4, 2, [0.9, 0.2, 0.1, 0.1, 0.3, 0.5, 0.1, 0.1], [1, 0, 0, 0, 0, 1, 0, 0]);
  const b = image(4, 2, [0.8, 0.6, 0.7, 0.1, 0.5, 0.2, 0.1, 0.1], [255, 255, 0, 0, 255, 255, 0, 0]);

  it('matches the hand-worked example', () => {
    expect(aupro([a, b])).toBeCloseTo(0.21875 / 0.3, 12);
    expect(aupro([b, a])).toBeCloseTo(0.21875 / 0.3, 12);
    expect(aupro([a, b], { maxFpr: 0.25 })).toBeCloseTo(0.68125, 12);
    expect(aupro([a, b], { maxFpr: 1 })).toBeCloseTo(0.91875, 12);
  });

  it('counts the pixels of good images as normal', () => {
    // Ten more normal pixels, all below every other score, halve each FPR before the 0.1 step:
    // points (0, .375), (.05, .375), (.05, .875), (.1, .875), (.15, 1), then (.5, 1) past the limit.
    // Area: 0.05·0.375 + 0.05·0.875 + 0.05·(0.875 + 1)/2 + 0.15·1 = 0.259375.
    const good = image(5, 2, new Array(10).fill(0.05), new Array(10).fill(0));
    expect(aupro([a, good, b])).toBeCloseTo(0.259375 / 0.3, 12);
  });

  it('is 1 for a perfect detector and 0 for an inverted one', () => {
    const random = new Random(21);
    const images: ScoredMask[] = [];
    for (let k = 0; k < 5; k++) {
      const mask = new Uint8Array(100);
      if (k > 0) for (let p = 0; p < 100; p++) mask[p] = random.uniform() < 0.15 ? 1 : 0;
      images.push({ width: 10, height: 10, mask, scores: Float32Array.from(mask, (m) => (m ? 0.5 : 0) + random.uniform() * 0.5) });
    }
    expect(aupro(images)).toBeCloseTo(1, 12);
    const inverted = images.map((i) => ({ ...i, scores: i.scores.map((s) => -s) }));
    expect(aupro(inverted)).toBe(0);
  });

  it('agrees with the slow definition on random data, with and without ties', () => {
    for (const seed of [1, 2, 3, 4]) {
      const random = new Random(seed);
      const images: ScoredMask[] = [];
      for (let k = 0; k < 7; k++) {
        const width = 8 + random.int(9);
        const height = 6 + random.int(9);
        const mask = new Uint8Array(width * height);
        // A few rectangles of random sizes, some touching; every third image is good.
        if (k % 3 !== 0) {
          for (let r = random.int(4); r >= 0; r--) {
            const x0 = random.int(width);
            const y0 = random.int(height);
            const w = 1 + random.int(4);
            const h = 1 + random.int(4);
            for (let y = y0; y < Math.min(height, y0 + h); y++) for (let x = x0; x < Math.min(width, x0 + w); x++) mask[y * width + x] = 1;
          }
        }
        const scores = Float32Array.from(mask, (m) => random.normal() + 1.2 * m);
        // Odd seeds round the scores to a coarse grid, so thresholds are shared within and across classes.
        if (seed % 2 === 1) scores.forEach((s, p) => (scores[p] = Math.round(s * 4) / 4));
        images.push({ width, height, scores, mask });
      }
      for (const maxFpr of [0.3, 0.05, 1]) {
        const fast = aupro(images, { maxFpr });
        expect(fast).toBeGreaterThan(0);
        expect(fast).toBeLessThan(1);
        expect(fast).toBeCloseTo(slowAupro(images, maxFpr), 12);
      }
    }
  });

  it('is NaN without regions or without normal pixels, and rejects malformed input', () => {
    expect(aupro([image(2, 1, [0.1, 0.2], [0, 0])])).toBeNaN();
    expect(aupro([image(2, 1, [0.1, 0.2], [1, 1])])).toBeNaN();
    expect(aupro([])).toBeNaN();
    expect(() => aupro([image(2, 2, [0.1, 0.2, 0.3], [0, 0, 1])])).toThrow(RangeError);
    expect(() => aupro([image(2, 1, [0.1, NaN], [0, 1])])).toThrow(/NaN/);
    expect(() => aupro([a], { maxFpr: 0 })).toThrow(RangeError);
    expect(() => aupro([a], { maxFpr: 1.5 })).toThrow(RangeError);
  });
});
