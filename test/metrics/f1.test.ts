/** Precision, recall and F1 at a threshold, and the best-F1 threshold, by hand and exhaustively. */
import { describe, expect, it } from 'vitest';
import { bestF1, f1AtThreshold } from '../../src/metrics/f1.js';
import { Random } from '../../src/util/random.js';

const scores = [0.1, 0.4, 0.35, 0.8];
const labels = [0, 0, 1, 1];

describe('f1AtThreshold', () => {
  it('matches hand-computed confusion counts', () => {
    // >= 0.35 flags 0.4 (normal), 0.35 and 0.8: TP 2, FP 1, FN 0, TN 1.
    expect(f1AtThreshold(scores, labels, 0.35)).toEqual({ threshold: 0.35, tp: 2, fp: 1, fn: 0, tn: 1, precision: 2 / 3, recall: 1, f1: 0.8 });
    // >= 0.5 flags 0.8 only: precision 1, recall 1/2, F1 2/3.
    expect(f1AtThreshold(scores, labels, 0.5)).toMatchObject({ tp: 1, fp: 0, fn: 1, tn: 2, precision: 1, recall: 0.5, f1: 2 / 3 });
    // Nothing flagged: precision undefined, recall and F1 zero.
    expect(f1AtThreshold(scores, labels, 0.9)).toMatchObject({ tp: 0, fp: 0, fn: 2, tn: 2, precision: NaN, recall: 0, f1: 0 });
    // Everything flagged, from typed arrays with a 0/255 mask-style label.
    expect(f1AtThreshold(Float32Array.from(scores), Uint8Array.from([0, 0, 255, 255]), -Infinity)).toMatchObject({ tp: 2, fp: 2, precision: 0.5, recall: 1, f1: 2 / 3 });
  });

  it('is undefined only without any positive decision or sample, and rejects malformed input', () => {
    expect(f1AtThreshold([0.1, 0.2], [0, 0], 0.5)).toMatchObject({ tn: 2, precision: NaN, recall: NaN, f1: NaN });
    expect(f1AtThreshold([0.1, 0.6], [0, 0], 0.5)).toMatchObject({ fp: 1, precision: 0, recall: NaN, f1: 0 });
    expect(() => f1AtThreshold([0.1], [0, 1], 0.5)).toThrow(RangeError);
    expect(() => f1AtThreshold([NaN], [0], 0.5)).toThrow(/NaN/);
    expect(() => f1AtThreshold([0.1], [0], NaN)).toThrow(/NaN/);
  });
});

describe('bestF1', () => {
  it('finds the hand-computed best threshold', () => {
    // Thresholds 0.8, 0.4, 0.35, 0.1 give F1 2/3, 1/2, 4/5, 2/3.
    expect(bestF1(scores, labels)).toEqual(f1AtThreshold(scores, labels, 0.35));
    // Labels 1, 0, 0, 1 from the top: F1 2/3 at the highest threshold and again at the lowest;
    // the tie goes to the highest.
    expect(bestF1([4, 3, 2, 1], [1, 0, 0, 1])).toMatchObject({ threshold: 4, f1: 2 / 3 });
    expect(bestF1([1, 2], [0, 0])).toMatchObject({ threshold: NaN, tn: 2, f1: NaN });
  });

  it('is the maximum of f1AtThreshold over every distinct score', () => {
    const random = new Random(31);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + random.int(60);
      const l = Array.from({ length: n }, () => (random.uniform() < 0.4 ? 1 : 0));
      const s = l.map((y) => Math.round((random.normal() + y) * 3) / 3);
      if (!l.includes(1)) continue;
      const candidates = [...new Set(s)].sort((x, y) => y - x).map((t) => f1AtThreshold(s, l, t));
      const expected = candidates.reduce((best, c) => (c.f1 > best.f1 ? c : best));
      expect(bestF1(s, l)).toEqual(expected);
      // The radix-sorted path picks the same threshold, rounded to float32 like its scores.
      const s32 = Float32Array.from(s);
      const l8 = Uint8Array.from(l);
      expect(bestF1(s32, l8)).toEqual(f1AtThreshold(s32, l8, Math.fround(expected.threshold)));
    }
  });
});
