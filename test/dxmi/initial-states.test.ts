/** The sampler's box-space initial states: base draws, data rows plus noise, or a share of each. */
import { describe, expect, it } from 'vitest';
import { boxStart } from '../../src/dxmi/initial-states.js';
import { Random } from '../../src/util/random.js';

const [n, dim] = [400, 5];
const data = Float32Array.from({ length: n * dim }, (_, k) => 10 + (k % dim));

/** Mean and variance of row range [from, to) of `states`, over all their entries minus `centre`. */
function moments(states: Float32Array, from: number, to: number, centre: Float32Array | null): { mean: number; variance: number } {
  const values = Array.from(states.subarray(from * dim, to * dim), (v, k) => v - (centre ? centre[from * dim + k] : 0));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { mean, variance: values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length };
}

describe('box-space initial states', () => {
  it('are draws from N(0, I) that ignore the data at share 0', () => {
    const start = boxStart(data, dim, 0, 1, new Random(1));
    const { mean, variance } = moments(start, 0, n, null);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(variance).toBeCloseTo(1, 0);
  });

  it('start the given share of the rows at their data rows plus noise of the given size, the rest from the base', () => {
    const start = boxStart(data, dim, 0.25, 0.5, new Random(2));
    const near = moments(start, 0, n / 4, data);
    expect(Math.abs(near.mean)).toBeLessThan(0.1);
    expect(near.variance).toBeCloseTo(0.25, 1);
    const base = moments(start, n / 4, n, null);
    expect(Math.abs(base.mean)).toBeLessThan(0.1);
    expect(base.variance).toBeCloseTo(1, 0);
  });
});
