/**
 * DxMI with the residual energy on small synthetic feature maps: it starts as the gaussian
 * baseline exactly, picks the kind of Gaussian base for the right reasons, and its DxMI stage
 * trains the correction f toward the data and away from the sampler's states.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig, type DxmiConfig } from '../../src/dxmi/config.js';
import { fitDxmi } from '../../src/methods/dxmi.js';
import { fitGaussianMethod } from '../../src/methods/gaussian.js';
import type { FeatureSet } from '../../src/methods/method.js';
import { Random } from '../../src/util/random.js';
import { featureSet, gridEnergy } from '../helpers/feature-maps.js';

const config = (overrides: Partial<DxmiConfig> = {}): DxmiConfig =>
  resolveConfig('fast', {
    energy: { kind: 'residual', hidden: [32], baseDims: 0, perPosition: true, positionFrequencies: 2, maxVectors: 4096 },
    samplerHidden: [32],
    valueHidden: [32],
    timeEmbedding: 8,
    batch: 128,
    maxIterations: 30,
    ...overrides,
  });

const [channels, h, w] = [6, 3, 4];
const flat = (set: FeatureSet, count: number): Float32Array => {
  const out = new Float32Array(count * channels * h * w);
  set.maps.slice(0, count).forEach((m, i) => out.set(m.data, i * m.data.length));
  return out;
};

/** Maps whose positions all follow one distribution (nothing to gain from a Gaussian per position). */
function identicalPositions(random: Random, count: number): FeatureSet {
  const maps = Array.from({ length: count }, () => ({ data: random.fillNormal(new Float32Array(channels * h * w)), height: h, width: w }));
  return { channels, maps };
}

/** Maps whose positions differ in mean and in covariance (each its own channel mixing and scale). */
function ownCovariances(random: Random, count: number): FeatureSet {
  const plane = h * w;
  const means = random.fillNormal(new Float32Array(channels * plane));
  const mixing = Array.from({ length: plane }, (_, p) => random.fillNormal(new Float32Array(channels * channels)).map((v) => v * (0.2 + p / plane)));
  const maps = Array.from({ length: count }, () => {
    const data = new Float32Array(channels * plane);
    for (let p = 0; p < plane; p++) {
      const noise = random.fillNormal(new Float32Array(channels));
      for (let k = 0; k < channels; k++) {
        let v = means[k * plane + p];
        for (let j = 0; j < channels; j++) v += mixing[p][k * channels + j] * noise[j];
        data[k * plane + p] = v;
      }
    }
    return { data, height: h, width: w };
  });
  return { channels, maps };
}

type BaseRecord = { kind: string; reason: string; spreadScale: number };
const baseOf = (config: Record<string, unknown>): BaseRecord => config.base as BaseRecord;

describe('DxMI, residual energy', () => {
  const train = featureSet(new Random(5), 120, channels, h, w);
  const probe = featureSet(new Random(6), 4, channels, h, w);

  it('is the gaussian baseline exactly before DxMI trains', async () => {
    const untrained = await fitDxmi(train, config({ maxIterations: undefined, epochs: 0 }), { seed: 0 });
    const gaussian = await fitGaussianMethod(train, { dims: 0, perPosition: true }, { seed: 0 });
    const data = flat(probe, 4);
    const [residual, baseline] = await Promise.all([gridEnergy(untrained, data, [4, channels, h, w]), gridEnergy(gaussian, data, [4, channels, h, w])]);
    expect(baseOf(untrained.config)).toEqual(baseOf(gaussian.config));
    for (let i = 0; i < residual.length; i++) expect(residual[i]).toBeCloseTo(baseline[i], 4);
  });

  it('chooses per-position Gaussians when positions differ, a pooled one when they do not, and says why', async () => {
    const distinct = await fitDxmi(ownCovariances(new Random(9), 120), config({ maxIterations: undefined, epochs: 0 }), { seed: 0 });
    expect(baseOf(distinct.config).kind).toBe('per-position');
    const alike = await fitDxmi(identicalPositions(new Random(7), 120), config({ maxIterations: undefined, epochs: 0 }), { seed: 0 });
    expect(baseOf(alike.config).kind).toBe('pooled');
    expect(baseOf(alike.config).reason).toMatch(/held-out log-likelihood/);
    const ragged: FeatureSet = { channels, maps: [...train.maps.slice(0, 60), ...featureSet(new Random(8), 60, channels, h + 1, w).maps] };
    const mixed = await fitDxmi(ragged, config({ maxIterations: undefined, epochs: 0 }), { seed: 0 });
    expect(baseOf(mixed.config).kind).toBe('pooled');
    expect(baseOf(mixed.config).reason).toMatch(/different feature grids/);
  });

  it('trains f: the energy moves off the base, down on data relative to the sampler, the same for the same seed', async () => {
    const progress: string[] = [];
    const trained = await fitDxmi(train, config(), { seed: 0, onProgress: (message) => progress.push(message) });
    const again = await fitDxmi(train, config(), { seed: 0 });
    const head = 'energy.trunk.0.weight'; // the last (zero-started) layer of f's [32] -> 1 trunk
    expect(Array.from(trained.store!.get(head).data).some((v) => v !== 0)).toBe(true);
    expect(Array.from(again.store!.get(head).data)).toEqual(Array.from(trained.store!.get(head).data));
    const last = progress.filter((m) => m.startsWith('DxMI')).at(-1)!;
    const [ePos, eNeg] = [/E\+ (-?[\d.]+)/, /E- (-?[\d.]+)/].map((re) => Number(re.exec(last)![1]));
    expect(eNeg).toBeGreaterThan(ePos);
    const data = flat(probe, 4);
    const untrained = await fitDxmi(train, config({ maxIterations: undefined, epochs: 0 }), { seed: 0 });
    const [after, before] = await Promise.all([gridEnergy(trained, data, [4, channels, h, w]), gridEnergy(untrained, data, [4, channels, h, w])]);
    expect(after.some((v, i) => Math.abs(v - before[i]) > 1e-4)).toBe(true);
  });
});
