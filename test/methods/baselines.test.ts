/** The baselines' exported energies against direct computations of what they claim to compute. */
import { describe, expect, it } from 'vitest';
import { fitGaussianMethod } from '../../src/methods/gaussian.js';
import { fitGaussian } from '../../src/methods/gaussian-base.js';
import { fitKnn, greedyCoreset } from '../../src/methods/knn.js';
import { Random } from '../../src/util/random.js';
import { featureSet, gridEnergy } from '../helpers/feature-maps.js';

describe('gaussian (PaDiM)', () => {
  it('fits the mean and an inverse of the shrunk covariance', () => {
    const random = new Random(1);
    const n = 400;
    const samples = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      const a = random.normal();
      samples[2 * i] = 1 + 2 * a;
      samples[2 * i + 1] = -1 + a + 0.5 * random.normal();
    }
    const fit = fitGaussian(samples, n, 2);
    expect(fit.mean[0]).toBeCloseTo(1, 0);
    expect(fit.mean[1]).toBeCloseTo(-1, 0);
    expect(fit.shrinkage).toBeGreaterThanOrEqual(0);
    expect(fit.shrinkage).toBeLessThan(0.2); // plenty of samples: little shrinkage
    // precision * covariance ~ identity for the (lightly shrunk) sample covariance
    const [p00, p01, p10, p11] = fit.precision;
    expect(p01).toBeCloseTo(p10, 10);
    expect(p00 * 4 + p01 * 2).toBeCloseTo(1, 0);
    expect(p11).toBeGreaterThan(0);
  });

  it('scores each position by its Mahalanobis distance to that position\'s Gaussian', async () => {
    const random = new Random(2);
    const train = featureSet(random, 40, 4, 2, 3);
    const fitted = await fitGaussianMethod(train, { dims: 0, perPosition: true });
    // A training map scores low everywhere; the same map with one position shifted scores high there.
    const probe = train.maps[0].data.slice();
    const shifted = probe.slice();
    const plane = 6;
    for (let k = 0; k < 4; k++) shifted[k * plane + 4] += 3;
    const both = new Float32Array([...probe, ...shifted]);
    const energy = await gridEnergy(fitted, both, [2, 4, 2, 3]);
    const normal = energy.subarray(0, 6);
    const anomalous = energy.subarray(6, 12);
    expect(Math.max(...normal)).toBeLessThan(anomalous[4]);
    for (const p of [0, 1, 2, 3, 5]) expect(anomalous[p]).toBeCloseTo(normal[p], 4);
  });
});

describe('knn (PatchCore)', () => {
  it('greedy coreset picks the farthest point each time', () => {
    // Points on a line at 0, 1, 2, 10: starting anywhere, 10 and 0 are in a 2-point coreset.
    const rows = new Float32Array([0, 1, 2, 10]);
    const chosen = Array.from(greedyCoreset(rows, 4, 1, 3, 1, new Random(3)));
    expect(new Set(chosen).size).toBe(3);
    expect(chosen).toContain(3);
    expect(chosen.includes(0) || chosen.includes(1) || chosen.includes(2)).toBe(true);
  });

  it('scores a vector by its distance to the nearest memory-bank vector', async () => {
    const random = new Random(4);
    const train = featureSet(random, 10, 3, 2, 2);
    const fitted = await fitKnn(train, { coresetRatio: 1, maxBank: 1000, maxCandidates: 1000, projection: 3 });
    // With the whole training set in the bank, a training map is at distance 0 from itself.
    const energy = await gridEnergy(fitted, train.maps[3].data, [1, 3, 2, 2]);
    for (const e of energy) expect(e).toBeCloseTo(0, 2);
    // A far point: its distance equals the brute-force nearest neighbour distance.
    const far = train.maps[3].data.map((v) => v + 5);
    const farEnergy = await gridEnergy(fitted, far, [1, 3, 2, 2]);
    for (let p = 0; p < 4; p++) {
      let best = Infinity;
      for (const m of train.maps) {
        for (let q = 0; q < 4; q++) {
          let d = 0;
          for (let k = 0; k < 3; k++) d += (far[k * 4 + p] - m.data[k * 4 + q]) ** 2;
          best = Math.min(best, Math.sqrt(d));
        }
      }
      expect(farEnergy[p]).toBeCloseTo(best, 3);
    }
  });
});
