/** AUROC and the ROC curve, by hand and against the O(n²) pair count that defines them. */
import { describe, expect, it } from 'vitest';
import { auroc, roc } from '../../src/metrics/roc.js';
import { Random } from '../../src/util/random.js';

/** Mann-Whitney by definition: every (anomalous, normal) pair, a tie counting 1/2. */
function pairCount(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let twiceWins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] === 0) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      twiceWins += scores[i] > scores[j] ? 2 : scores[i] === scores[j] ? 1 : 0;
    }
  }
  return twiceWins / (2 * pairs);
}

/** Scores on a coarse grid, so that ties within and across classes are frequent. */
function tiedData(seed: number, n: number): { scores: Float32Array; labels: Uint8Array } {
  const random = new Random(seed);
  const labels = new Uint8Array(n);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = random.uniform() < 0.3 ? 1 : 0;
    scores[i] = Math.round((random.normal() + labels[i]) * 8) / 8;
  }
  return { scores, labels };
}

describe('auroc', () => {
  it('matches hand-computed values', () => {
    // Anomalous 0.35 beats normal 0.1 only, 0.8 beats both: 3 of 4 pairs.
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    // Pairs (0.5 vs 0.2) win, (0.5 vs 0.5) tie = 1/2, 0.9 wins twice: 3.5 / 4.
    expect(auroc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1])).toBe(0.875);
    // Every pair tied.
    expect(auroc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(auroc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(auroc([1, 2, 3, 4], [1, 1, 0, 0])).toBe(0);
    // -0 and +0 are the same score, infinities are ordinary extremes.
    expect(auroc([-0, 0], [0, 1])).toBe(0.5);
    expect(auroc([-Infinity, Infinity, 0], [0, 1, 1])).toBe(1);
    // Any nonzero label is anomalous (0/255 masks).
    expect(auroc(new Float32Array([0.1, 0.4, 0.35, 0.8]), new Uint8Array([0, 0, 255, 255]))).toBe(0.75);
  });

  it('is NaN when a class is missing, and rejects malformed input', () => {
    expect(auroc([0.1, 0.2], [0, 0])).toBeNaN();
    expect(auroc(new Float32Array([0.1, 0.2]), new Uint8Array([1, 1]))).toBeNaN();
    expect(auroc([], [])).toBeNaN();
    expect(() => auroc([0.1, 0.2], [0])).toThrow(RangeError);
    expect(() => auroc([0.1, NaN], [0, 1])).toThrow(/NaN/);
    expect(() => auroc(new Float32Array([NaN, 1]), new Uint8Array([0, 1]))).toThrow(/NaN/);
  });

  it('equals the brute-force pair count on random data with ties', () => {
    for (const seed of [1, 2, 3]) {
      const { scores, labels } = tiedData(seed, 1500);
      const expected = pairCount(scores, labels);
      // Both are one integer over the same denominator, so they agree exactly.
      expect(auroc(scores, labels)).toBe(expected);
      expect(auroc(Array.from(scores), Array.from(labels))).toBe(expected);
    }
  });

  it('gives the same number for pixel scores (radix path) as for image scores (native sort)', () => {
    const random = new Random(4);
    const n = 300_000;
    const labels = new Uint8Array(n);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = random.uniform() < 0.05 ? 1 : 0;
      // Negative and positive scores, some tied, some continuous.
      scores[i] = i % 3 === 0 ? random.int(100) - 50 : random.normal() + 2 * labels[i];
    }
    const pixel = auroc(scores, labels);
    expect(pixel).toBeGreaterThan(0.6);
    expect(pixel).toBe(auroc(Float64Array.from(scores), labels));
  });
});

describe('roc', () => {
  it('lists every distinct threshold when maxPoints allows', () => {
    const result = roc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], { maxPoints: 100 });
    expect(result).toEqual({
      auroc: 0.75,
      positives: 2,
      negatives: 2,
      curve: [
        { fpr: 0, tpr: 0, threshold: Infinity },
        { fpr: 0, tpr: 0.5, threshold: 0.8 },
        { fpr: 0.5, tpr: 0.5, threshold: 0.4 },
        { fpr: 0.5, tpr: 1, threshold: 0.35 },
        { fpr: 1, tpr: 1, threshold: 0.1 },
      ],
    });
  });

  it('downsamples to at most maxPoints, keeping the ends and the shape', () => {
    const random = new Random(5);
    const n = 50_000;
    const labels = new Uint8Array(n);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = random.uniform() < 0.2 ? 1 : 0;
      scores[i] = random.normal() + labels[i];
    }
    for (const maxPoints of [2, 3, 10, 64, 512]) {
      const { curve, auroc: area } = roc(scores, labels, { maxPoints });
      expect(curve.length).toBeLessThanOrEqual(maxPoints);
      expect(curve[0]).toEqual({ fpr: 0, tpr: 0, threshold: Infinity });
      expect(curve.at(-1)).toMatchObject({ fpr: 1, tpr: 1, threshold: scores.reduce((a, b) => Math.min(a, b)) });
      let trapezoids = 0;
      for (let k = 1; k < curve.length; k++) {
        expect(curve[k].fpr).toBeGreaterThanOrEqual(curve[k - 1].fpr);
        expect(curve[k].tpr).toBeGreaterThanOrEqual(curve[k - 1].tpr);
        expect(curve[k].threshold).toBeLessThan(curve[k - 1].threshold);
        trapezoids += ((curve[k].fpr - curve[k - 1].fpr) * (curve[k].tpr + curve[k - 1].tpr)) / 2;
      }
      if (maxPoints >= 64) {
        expect(curve.length).toBeGreaterThan(maxPoints / 2);
        expect(Math.abs(trapezoids - area)).toBeLessThan(2e-3);
      }
    }
  });

  it('has an empty curve when a class is missing, and rejects maxPoints below 2', () => {
    expect(roc([1, 2], [1, 1]).curve).toEqual([]);
    expect(() => roc([1, 2], [0, 1], { maxPoints: 1 })).toThrow(RangeError);
  });
});
