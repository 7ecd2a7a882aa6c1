/** Binarizing an anomaly map: the same score >= threshold rule as the metrics. */
import { describe, expect, it } from 'vitest';
import { thresholdMap } from '../../src/metrics/threshold.js';

describe('thresholdMap', () => {
  it('sets the pixels scoring at or above the threshold', () => {
    const scores = new Float32Array([0.2, 0.5, 0.7, NaN, -1]);
    expect(thresholdMap(scores, 0.5)).toEqual(new Uint8Array([0, 1, 1, 0, 0]));
    const out = new Uint8Array(5).fill(9);
    expect(thresholdMap(scores, -Infinity, out)).toBe(out);
    expect(out).toEqual(new Uint8Array([1, 1, 1, 0, 1]));
    expect(() => thresholdMap(scores, 0.5, new Uint8Array(4))).toThrow(RangeError);
  });
});
