/** The DxMI loop on small vectors: determinism, what each step trains, and the paper's 2-D check. */
import { describe, expect, it } from 'vitest';
import { resolveConfig, type DxmiConfig } from '../../src/dxmi/config.js';
import { runSanity2d, sanityEnergy } from '../../src/dxmi/sanity-2d.js';
import { VALUE_TARGET, valueTargetName } from '../../src/dxmi/networks.js';
import { trainDxmi } from '../../src/dxmi/trainer.js';
import { Random } from '../../src/util/random.js';

/** Unit vectors around 4 directions in R^16. */
function clusters(count: number, dim: number, seed: number): Float32Array {
  const random = new Random(seed);
  const centers = Array.from({ length: 4 }, () => random.fillNormal(new Float32Array(dim)));
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const c = centers[random.int(4)];
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += (out[i * dim + d] = c[d] + 0.3 * random.normal()) ** 2;
    for (let d = 0; d < dim; d++) out[i * dim + d] /= Math.sqrt(norm);
  }
  return out;
}

const tiny = (overrides: Partial<DxmiConfig> = {}): DxmiConfig =>
  resolveConfig('fast-spherical', {
    energy: { kind: 'spherical-ae', hidden: [32], latent: 8 },
    samplerHidden: [32],
    valueHidden: [16],
    timeEmbedding: 8,
    batch: 64,
    pretrainEpochs: 2,
    epochs: 1,
    maxIterations: 8,
    ...overrides,
  });

describe('DxMI trainer', () => {
  const dim = 16;
  const data = clusters(512, dim, 1);

  it('gives bit-identical parameters for the same seed and data', async () => {
    const a = await trainDxmi({ data, count: 512, dim }, tiny(), { session: { threads: 1 } });
    const b = await trainDxmi({ data, count: 512, dim }, tiny(), { session: { threads: 1 } });
    const c = await trainDxmi({ data, count: 512, dim }, tiny({ seed: 1 }), { session: { threads: 1 } });
    for (const name of a.store.names()) {
      expect(Buffer.from(b.store.get(name).data.buffer).equals(Buffer.from(a.store.get(name).data.buffer)), name).toBe(true);
    }
    expect(Array.from(c.store.get('energy.encoder.0.weight').data)).not.toEqual(Array.from(a.store.get('energy.encoder.0.weight').data));
  });

  it('pretrains the autoencoder, then separates data from samples, and reports every quantity', async () => {
    const run = await trainDxmi({ data, count: 512, dim }, tiny({ pretrainEpochs: 10, maxIterations: 20 }), { session: { threads: 1 }, progressEvery: 1 });
    const pretrain = run.history.filter((p) => p.phase === 'pretrain');
    expect(pretrain.at(-1)!.loss!).toBeLessThan(pretrain[0].loss! * 0.5);
    const last = run.history.at(-1)!;
    expect(last.phase).toBe('dxmi');
    expect(last.energyNegative!).toBeGreaterThan(last.energyPositive!);
    for (const value of [last.valueLoss, last.samplerLoss, ...last.sigma!, ...last.s!]) expect(Number.isFinite(value)).toBe(true);
    // The frozen copy for initial states is the pretrained energy, not the fine-tuned one.
    expect(Array.from(run.store.get('frozen.encoder.0.weight').data)).not.toEqual(Array.from(run.store.get('energy.encoder.0.weight').data));
  });

  it('bootstraps the TD targets from a lagging copy of V when valueTargetAverage is set', async () => {
    const decay = 0.9;
    const lagged = await trainDxmi({ data, count: 512, dim }, tiny({ valueTargetAverage: decay }), { session: { threads: 1 } });
    const plain = await trainDxmi({ data, count: 512, dim }, tiny(), { session: { threads: 1 } });
    const valueNames = lagged.store.names().filter((k) => k.startsWith('value.'));
    expect(valueNames.length).toBeGreaterThan(0);
    expect(plain.store.names().some((k) => k.startsWith(VALUE_TARGET))).toBe(false);
    // The value steps read exactly the copies the trainer keeps (parameters are fed by name).
    expect(lagged.store.names().filter((k) => k.startsWith(VALUE_TARGET)).sort()).toEqual(valueNames.map(valueTargetName).sort());
    const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0);
    for (const name of valueNames) {
      const target = lagged.store.get(valueTargetName(name)).data;
      // It follows V (8 iterations at decay 0.9 move it part of the way) without being V.
      expect(distance(target, lagged.store.get(name).data), name).toBeGreaterThan(0);
    }
    // The lagging targets change what V learns: the value steps read them.
    expect(distance(lagged.store.get(valueNames[0]).data, plain.store.get(valueNames[0]).data)).toBeGreaterThan(0);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(trainDxmi({ data, count: 512, dim }, tiny(), { signal: controller.signal })).rejects.toThrow(/cancelled/);
  });
});

describe('2-D sanity check (8 Gaussians, T = 5, reduced)', () => {
  it.each([0, 1, 2])('moves samples onto the data and separates it from uniform noise at tau = 0.1 (seed %i)', async (seed) => {
    const result = await runSanity2d(0.1, { iterations: 3000, seed });
    // The reduced bar. Measured at 3000 iterations (seeds 0-2, 65,536 points): SW
    // 0.173-0.209 against a data-vs-data floor of 0.02-0.03, AUC 0.864-0.886; at 1500 the AUC was
    // 0.856-0.883, too close to the bar for CPUs whose float rounding differs. At 15,000 (npm run
    // sanity:2d) SW 0.145-0.149 and AUC 0.882-0.884 (paper 0.068, 0.898).
    // The estimate resolves the paper's 0.068: two draws of the data itself are far closer.
    expect(result.slicedWassersteinFloor, `seed ${seed}`).toBeLessThan(0.05);
    expect(result.slicedWasserstein, `seed ${seed}`).toBeLessThanOrEqual(0.3);
    expect(result.auc, `seed ${seed}`).toBeGreaterThanOrEqual(0.85);
  }, 600_000);

  it("trains kensa's residual energy in the data's whitened coordinates and reports in the data's own", async () => {
    // Before any update the residual sampler is the identity plus each step's noise (sigma 0.5 in
    // whitened units), so its samples are draws from the base, a little widened: 1.0-1.4 times the
    // data's radius in data units, about half of it if they were left whitened.
    const result = await runSanity2d(0.1, { iterations: 1, seed: 0, overrides: { energy: sanityEnergy('residual') } });
    const points = result.samples.length / 2;
    const rms = Math.sqrt(result.samples.reduce((sum, v) => sum + v * v, 0) / points);
    const dataRms = Math.sqrt(result.reference.reduce((sum, v) => sum + v * v, 0) / points);
    expect(rms / dataRms).toBeGreaterThan(0.85);
    expect(rms / dataRms).toBeLessThan(1.5);
    // Far from the data the base's energy is high, in data units: the corners score above the modes.
    const { values, size } = result.landscape;
    expect(values[0]).toBeGreaterThan(Math.min(...values) + 1);
    expect(values[size * size - 1]).toBeGreaterThan(Math.min(...values) + 1);
  }, 120_000);
});
