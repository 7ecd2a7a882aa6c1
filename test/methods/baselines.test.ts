/** The baselines' exported energies against direct computations of what they claim to compute. */
import { describe, expect, it } from 'vitest';
import { fitGaussianMethod } from '../../src/methods/gaussian.js';
import { BASE_KINDS, baseGridEnergy, chooseGaussianBase, fitGaussian, fitGaussianBase, whiten } from '../../src/methods/gaussian-base.js';
import { reduceSum, sqrt, square } from '../../src/onnx/ops.js';
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

describe('Gaussian bases', () => {
  it('stand in per-position means with a shared correlation for covariances per position that exceed the budget, and say why', () => {
    // A mean per position, one correlated noise everywhere: the shared correlation explains it, a pooled Gaussian does not.
    const random = new Random(11);
    const [channels, h, w] = [4, 3, 4];
    const means = random.fillNormal(new Float32Array(channels * h * w));
    const mixing = random.fillNormal(new Float32Array(channels * channels));
    const maps = Array.from({ length: 40 }, () => {
      const data = new Float32Array(channels * h * w);
      for (let p = 0; p < h * w; p++) {
        const noise = random.fillNormal(new Float32Array(channels));
        for (let k = 0; k < channels; k++) {
          let v = means[k * h * w + p];
          for (let j = 0; j < channels; j++) v += 0.3 * mixing[k * channels + j] * noise[j];
          data[k * h * w + p] = v;
        }
      }
      return { data, height: h, width: w };
    });
    const features = { channels, maps };
    expect(chooseGaussianBase(features, { dims: 0, perPosition: true }, 0).record.kind).toBe('per-position');
    const small = chooseGaussianBase(features, { dims: 0, perPosition: true, maxPerPositionFloats: 100 }, 0).record;
    expect(small.kind).toBe('position-means');
    expect(small.reason).toMatch(/position-means -?[\d.]+, pooled -?[\d.]+ nats; a covariance per position would take 12 x 4 x 4 floats/);
    expect(small.floats).toBe(2 * 12 * 4 + 4 * 4);
  });

  it('score in the exported graph exactly the Mahalanobis distance they whiten to, for every kind', async () => {
    const train = featureSet(new Random(3), 30, 5, 3, 4);
    const probe = featureSet(new Random(4), 2, 5, 3, 4);
    const data = new Float32Array(probe.maps.flatMap((m) => [...m.data]));
    for (const kind of BASE_KINDS) {
      const base = fitGaussianBase(train.maps, [0, 2, 3, 4], kind, 0);
      const fitted = { method: 'gaussian' as const, energy: (graph: Parameters<typeof baseGridEnergy>[0]) => baseGridEnergy(graph, base, (z) => sqrt(reduceSum(square(z), [-1]))), config: {}, trainSeconds: 0 };
      const energy = await gridEnergy(fitted, data, [2, 5, 3, 4]);
      probe.maps.forEach((map, i) => {
        const z = whiten(base, map);
        for (let p = 0; p < 12; p++) {
          const distance = Math.hypot(...z.subarray(p * 4, (p + 1) * 4));
          expect(energy[i * 12 + p], `${kind}, image ${i}, position ${p}`).toBeCloseTo(distance, 4);
        }
      });
    }
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
