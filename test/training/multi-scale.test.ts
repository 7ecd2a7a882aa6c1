/**
 * A multi-scale model end to end on synthetic metal plates: a fine and a coarse pass, each fitted
 * on its own features, measured on the held-out good images and fused in one exported graph; the
 * manifest records both passes and a retrain from the package's recipe trains them again alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, recipeOf, trainingConfig, type TrainingRecipe } from '../../src/jobs/recipe.js';
import type { InputSpec } from '../../src/model/manifest.js';
import type { ModelPackage } from '../../src/model/model-package.js';
import { generateDataset } from '../../src/synth/generate.js';
import { scoreImages } from '../../src/training/score-images.js';
import { MIN_SCALE_IMAGES, packageMethod, prepareTraining } from '../../src/training/train-product.js';

const SIDE = 128;
const INPUT: InputSpec = { policy: 'fill', size: SIDE, multiple: 16 };
const MODELS = path.resolve(import.meta.dirname, '../../models');
const root = await mkdtemp(path.join(os.tmpdir(), 'kensa-multi-scale-'));
afterAll(() => rm(root, { recursive: true, force: true }));

let recipe: TrainingRecipe;
let trainDir: string;
let pkg: ModelPackage;
let goods: string[];
let defect: string;

interface ScaleRecord {
  inputScale: number;
  center: number;
  spread: number;
  trainSeconds: number;
}
const scalesOf = (p: ModelPackage): ScaleRecord[] => p.manifest.training.config.scales as ScaleRecord[];

beforeAll(async () => {
  const data = await generateDataset({ out: path.join(root, 'metal'), kind: 'metal', seed: 12, train: 24, testGood: 4, testDefect: 0, width: SIDE, height: SIDE });
  goods = data.images.filter((image) => image.split === 'test').map((image) => image.image);
  defect = path.join(root, 'defect.png');
  const square = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000000' } }).png().toBuffer();
  await sharp(goods[0]).composite([{ input: square, left: 60, top: 50 }]).png().toFile(defect);

  // Half of the 24 held out: enough to measure both passes (MIN_SCALE_IMAGES).
  recipe = { ...DEFAULT_RECIPE, method: 'gaussian', input: INPUT, features: { ...DEFAULT_RECIPE.features, coarseScale: 0.5 }, validationFraction: 0.5 };
  trainDir = path.join(data.root, 'train', 'good');
  const prepared = await prepareTraining(trainingConfig(recipe, trainDir, MODELS, { threads: 2 }));
  expect(prepared.coarse?.scale).toBe(0.5);
  // The coarse pass sees the frame at half size: a grid of half the side.
  const [fine, coarse] = [prepared.features.maps[0], prepared.coarse!.features.maps[0]];
  expect([coarse.height, coarse.width]).toEqual([fine.height / 2, fine.width / 2]);
  pkg = await packageMethod(prepared, 'gaussian', { product: 'metal', version: 'two-scales', dir: path.join(root, 'two-scales') });
}, 180_000);

describe('a multi-scale model', () => {
  it('records each pass: its scale and its center and spread on the held-out good images', () => {
    const scales = scalesOf(pkg);
    expect(scales.map((s) => s.inputScale)).toEqual([1, 0.5]);
    for (const s of scales) {
      expect(s.spread).toBeGreaterThan(0);
      expect(Number.isFinite(s.center)).toBe(true);
    }
  });

  it('scores the fused grid: good parts near the calibration center, a gross defect far above them', async () => {
    const run = await scoreImages(pkg.modelPath, [...goods, defect], INPUT, { session: { threads: 2 } });
    const good = run.images.slice(0, -1).map((image) => image.score);
    const bad = run.images[goods.length];
    expect(bad.score).toBeGreaterThan(Math.max(...good));
    expect(bad.score).toBeGreaterThan(pkg.manifest.calibration.image.threshold);
    expect(bad.map.length).toBe(SIDE * SIDE);
    // Fused scores are sums of spreads: a good part's score is a few units, whatever the raw energies.
    for (const score of good) expect(Math.abs(score)).toBeLessThan(20);
  });

  it("is trained again with both passes from the package's recipe, as the server's retraining runs it", async () => {
    const again = recipeOf(pkg)!;
    expect(again.features.coarseScale).toBe(0.5);
    const retrained = await packageMethod(await prepareTraining(trainingConfig(again, trainDir, MODELS, { threads: 2 })), again.method, {
      product: 'metal',
      version: 'retrained',
      dir: path.join(root, 'retrained'),
    });
    expect(scalesOf(retrained).map(({ inputScale, center, spread }) => ({ inputScale, center, spread }))).toEqual(
      scalesOf(pkg).map(({ inputScale, center, spread }) => ({ inputScale, center, spread })),
    );
  }, 120_000);

  it('falls back to one scale, with a warning, when too few images are held out to measure the passes', async () => {
    const few = path.join(root, 'few');
    const data = await generateDataset({ out: few, kind: 'metal', seed: 13, train: 16, testGood: 0, testDefect: 0, width: SIDE, height: SIDE });
    const warnings: string[] = [];
    const prepared = await prepareTraining({ ...trainingConfig(recipe, path.join(data.root, 'train', 'good'), MODELS, { threads: 2 }), onWarning: (w) => warnings.push(w) });
    expect(prepared.validation.length).toBeLessThan(MIN_SCALE_IMAGES);
    expect(prepared.coarse).toBeUndefined();
    expect(warnings.some((w) => /too few to measure a coarse pass/.test(w))).toBe(true);
    const single = await packageMethod(prepared, 'gaussian', { product: 'metal', version: 'few', dir: path.join(root, 'few-package') });
    expect(single.manifest.training.config.scales).toBeUndefined();
    expect(single.manifest.calibration.image.threshold).toBeGreaterThan(single.manifest.calibration.image.center);
  }, 120_000);
});
