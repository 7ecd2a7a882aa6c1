/** Retraining repeats the active version's recipe; a few knobs can be changed on top. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DxmiConfigSchema, resolveConfig } from '../../src/dxmi/config.js';
import { DEFAULT_RECIPE, recipeOf, trainingConfig, withOverrides } from '../../src/jobs/recipe.js';
import type { Manifest } from '../../src/model/manifest.js';
import { fixtureManifest } from '../helpers/fixture-model.js';

const PACKAGE_DIR = '/models/flange/v7';

/** The active version as the registry holds it: its package folder and manifest. */
const version = (manifest: Manifest) => ({ manifest, dir: PACKAGE_DIR });

/** What packageMethod records for a DxMI model trained on the demo's features. */
function trainedManifest(): Manifest {
  const dxmi = resolveConfig('fast', { seed: 3, maxIterations: 40 });
  return {
    ...fixtureManifest({ product: 'flange', version: 'v7', input: { policy: 'fill', size: 192, multiple: 16 } }),
    method: 'dxmi',
    calibration: { ...fixtureManifest().calibration, expectedFalseCallRate: 0.02 },
    training: {
      images: 50,
      digest: 'x',
      seconds: 10,
      device: 'cpu',
      config: { ...dxmi, features: { backbone: 'mobilenet_v2', stride: 16, smoothing: 3 }, mapSmoothing: 5, seed: 3, validationFraction: 0.2 },
    },
  };
}

describe('recipeOf', () => {
  it("reads the recipe back from a kensa-trained version's manifest", () => {
    const recipe = recipeOf(version(trainedManifest()));
    expect(recipe).toMatchObject({
      basedOn: 'flange/v7',
      method: 'dxmi',
      features: { backbone: 'mobilenet_v2', stride: 16, smoothing: 3 },
      input: { policy: 'fill', size: 192, multiple: 16 },
      mapSmoothing: 5,
      validationFraction: 0.2,
      falseCallRate: 0.02,
      seed: 3,
    });
    expect(DxmiConfigSchema.parse(recipe?.dxmi).maxIterations).toBe(40);
    expect(recipe?.roi).toBeUndefined();
  });

  it("keeps the version's region of interest: the mask in its package", () => {
    const manifest = trainedManifest();
    manifest.training.config.roi = { file: 'roi.png', coverage: 0.6 };
    const recipe = withOverrides(recipeOf(version(manifest))!, { seed: 4 });
    expect(recipe.roi).toBe(path.join(PACKAGE_DIR, 'roi.png'));
    expect(trainingConfig(recipe, '/data', '/models', {}).roi).toBe(path.join(PACKAGE_DIR, 'roi.png'));
  });

  it('has none for a package that does not record one', () => {
    expect(recipeOf(version(fixtureManifest()))).toBeNull();
  });
});

describe('withOverrides and trainingConfig', () => {
  it('changes only the knobs asked for', () => {
    const recipe = withOverrides(DEFAULT_RECIPE, { method: 'gaussian', inputSize: 128, seed: 9 });
    expect(recipe).toMatchObject({ method: 'gaussian', input: { policy: 'fill', size: 128, multiple: 16 }, seed: 9, validationFraction: DEFAULT_RECIPE.validationFraction });
    expect(recipe.dxmi.seed).toBe(9);
    expect(withOverrides(recipeOf(version(trainedManifest()))!, { dxmiPreset: 'paper' }).dxmi.preset).toBe('paper');
  });

  it("is the pipeline's configuration, and refuses DxMI settings the trainer does not accept", () => {
    const config = trainingConfig(DEFAULT_RECIPE, '/data', '/models', { threads: 1 });
    expect(config).toMatchObject({ data: '/data', modelsDir: '/models', features: DEFAULT_RECIPE.features, session: { threads: 1 } });
    expect(() => trainingConfig({ ...DEFAULT_RECIPE, dxmi: { preset: 'fast' } }, '/data', '/models', {})).toThrow(/DxMI settings are invalid/);
  });
});
