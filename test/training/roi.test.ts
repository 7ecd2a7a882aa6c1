/**
 * Training with a region of interest, end to end on synthetic metal plates: a gross defect in the
 * ignored part of the frame neither raises the exported model's score nor shows in its map, while
 * the same model without the region calls it at once; the package keeps the mask, the manifest
 * records it and a retrain from the package's recipe keeps it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, recipeOf, trainingConfig } from '../../src/jobs/recipe.js';
import type { InputSpec } from '../../src/model/manifest.js';
import { readModelPackage, type ModelPackage } from '../../src/model/model-package.js';
import { generateDataset } from '../../src/synth/generate.js';
import { scoreImages, type ScoredImage } from '../../src/training/score-images.js';
import { packageMethod, prepareTraining, type PreparedTraining } from '../../src/training/train-product.js';

const SIDE = 128;
const INPUT: InputSpec = { policy: 'fill', size: SIDE, multiple: 16 };
/**
 * The defect: a black square in the ignored left part of the frame, 52 px from the region. The
 * region masks the energy grid, not the backbone's input, so a defect within the receptive field of
 * the region's border cells still reaches them (24 px from the border, it raised the score by 40%).
 */
const DEFECT = { left: 4, top: 52, side: 24 };

/** The repository's models folder, where the converted backbones are cached. */
const MODELS = path.resolve(import.meta.dirname, '../../models');
const root = await mkdtemp(path.join(os.tmpdir(), 'kensa-roi-training-'));
afterAll(() => rm(root, { recursive: true, force: true }));

let trainDir: string;
let prepared: PreparedTraining;
let masked: ModelPackage;
let goods: string[];
let defect: string;

/** Scores of the good test images and of the defect image with a package's model. */
async function scored(pkg: ModelPackage): Promise<{ goods: number[]; defect: ScoredImage }> {
  const run = await scoreImages(pkg.modelPath, [...goods, defect], INPUT, { session: { threads: 2 } });
  return { goods: run.images.slice(0, -1).map((image) => image.score), defect: run.images[goods.length] };
}

beforeAll(async () => {
  const data = await generateDataset({ out: path.join(root, 'metal'), kind: 'metal', seed: 11, train: 20, testGood: 4, testDefect: 0, width: SIDE, height: SIDE });
  goods = data.images.filter((image) => image.split === 'test').map((image) => image.image);
  defect = path.join(root, 'defect.png');
  const square = await sharp({ create: { width: DEFECT.side, height: DEFECT.side, channels: 3, background: '#000000' } }).png().toBuffer();
  await sharp(goods[0]).composite([{ input: square, left: DEFECT.left, top: DEFECT.top }]).png().toFile(defect);

  // Smaller than the frame and of another aspect, stretched onto it: the left 5/8 ignored.
  const roi = path.join(root, 'roi.png');
  const leftIgnored = Buffer.alloc(8 * 4).map((_, i) => (i % 8 >= 5 ? 255 : 0));
  await sharp(leftIgnored, { raw: { width: 8, height: 4, channels: 1 } }).png().toFile(roi);

  const recipe = { ...DEFAULT_RECIPE, method: 'gaussian' as const, input: INPUT, roi };
  trainDir = path.join(data.root, 'train', 'good');
  prepared = await prepareTraining(trainingConfig(recipe, trainDir, MODELS, { threads: 2 }));
  masked = await packageMethod(prepared, 'gaussian', { product: 'metal', version: 'roi', dir: path.join(root, 'with-roi') });
}, 180_000);

describe('training with a region of interest', () => {
  it('ignores a defect outside the region: in the score and in the map', async () => {
    const { goods: good, defect: bad } = await scored(masked);
    expect(bad.score).toBeLessThanOrEqual(Math.max(...good));

    // Inside the defect the map sits at its own minimum: the ignored cells' floor.
    const floor = Math.min(...bad.map);
    for (let y = DEFECT.top; y < DEFECT.top + DEFECT.side; y++) {
      for (let x = DEFECT.left; x < DEFECT.left + DEFECT.side; x++) expect(bad.map[y * SIDE + x]).toBeCloseTo(floor, 5);
    }

    const unmasked = await packageMethod({ ...prepared, roi: undefined }, 'gaussian', { product: 'metal', version: 'whole', dir: path.join(root, 'whole-frame') });
    const whole = await scored(unmasked);
    expect(whole.defect.score).toBeGreaterThan(Math.max(...whole.goods));
  }, 120_000);

  it('keeps the mask in the package and records it in the manifest', async () => {
    expect((await readModelPackage(masked.dir)).manifest.training.config.roi).toEqual({ file: 'roi.png', coverage: 0.375 });
    const kept = await sharp(await readFile(path.join(masked.dir, 'roi.png'))).metadata();
    expect([kept.format, kept.width, kept.height]).toEqual(['png', 8, 4]);
  });

  it("is kept by a retrain from the package's recipe, as the server's training jobs run it", async () => {
    const recipe = recipeOf(masked);
    expect(recipe?.roi).toBe(path.join(masked.dir, 'roi.png'));
    const again = await prepareTraining(trainingConfig(recipe!, trainDir, MODELS, { threads: 2 }));
    const retrained = await packageMethod(again, recipe!.method, { product: 'metal', version: 'retrained', dir: path.join(root, 'retrained') });
    expect(retrained.manifest.training.config.roi).toEqual(masked.manifest.training.config.roi);
    expect(await readFile(path.join(retrained.dir, 'roi.png'))).toEqual(await readFile(path.join(masked.dir, 'roi.png')));
  }, 120_000);
});
