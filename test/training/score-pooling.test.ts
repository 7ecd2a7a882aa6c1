/**
 * Choosing the image score's top-k on held-out good images and copies with implanted defects:
 * the choice on constructed grids, the implanted defects themselves, and the whole path in
 * training (the manifest records the choice, a retrain chooses again).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, recipeOf, trainingConfig } from '../../src/jobs/recipe.js';
import type { InputSpec } from '../../src/model/manifest.js';
import { generateDataset } from '../../src/synth/generate.js';
import type { PlanarImage } from '../../src/image/planar.js';
import { IMPLANTED_DEFECTS, implantDefect } from '../../src/training/implanted-defects.js';
import { pickTopK, TOP_K_CANDIDATES, topKMean, type TopKChoice } from '../../src/training/score-pooling.js';
import { packageMethod, prepareTraining } from '../../src/training/train-product.js';
import { Random } from '../../src/util/random.js';

const CELLS = 28 * 28;

/** Good grids: unit noise. */
function goodGrids(count: number, random: Random): Float32Array[] {
  return Array.from({ length: count }, () => random.fillNormal(new Float32Array(CELLS)));
}

/** Noise with `cells` cells raised by `lift`. */
function defectGrids(count: number, cells: number, lift: number, random: Random): Float32Array[] {
  return goodGrids(count, random).map((grid) => {
    const start = random.int(CELLS - cells);
    for (let i = start; i < start + cells; i++) grid[i] += lift;
    return grid;
  });
}

describe('top-k choice on grids', () => {
  it('averages the k highest cells, or all of them when there are fewer', () => {
    expect(topKMean(Float32Array.of(3, -1, 7, 5), 2)).toBe(6);
    expect(topKMean(Float32Array.of(3, -1), 4)).toBe(1);
  });

  it('chooses a k about the defects\' area when they are wide and faint, and the maximum for single hot cells', () => {
    const random = new Random(3);
    const wide = pickTopK(goodGrids(60, random), defectGrids(60, 24, 1.2, random), random);
    expect(wide.k).toBeGreaterThanOrEqual(8);
    const auroc = (choice: TopKChoice, k: number): number => choice.candidates.find((c) => c.k === k)!.auroc;
    expect(auroc(wide, wide.k)).toBeGreaterThan(auroc(wide, 1) + 0.05);

    const hot = pickTopK(goodGrids(60, random), defectGrids(60, 1, 4, random), random);
    expect(hot.k).toBe(1);
  });

  it('keeps the maximum when no k separates the sets better, and never averages more than an eighth of the grid', () => {
    const random = new Random(4);
    const blind = pickTopK(goodGrids(40, random), goodGrids(40, random), random);
    expect(blind.k).toBe(1);

    const small = Array.from({ length: 20 }, () => new Float32Array(64));
    const choice = pickTopK(small, small, random);
    expect(choice.candidates.map((c) => c.k)).toEqual(TOP_K_CANDIDATES.filter((k) => k <= 8));
  });
});

describe('implanted defects', () => {
  const side = 96;
  const plane = side * side;
  const gray: PlanarImage = { width: side, height: side, data: new Float32Array(3 * plane).fill(0.5) };

  it('changes a bounded part of the image for every kind, keeps gray images gray and leaves the input alone', () => {
    for (const defect of IMPLANTED_DEFECTS) {
      const out = implantDefect(gray, defect, new Random(1).fork(defect));
      let changed = 0;
      for (let k = 0; k < plane; k++) {
        if (Math.abs(out[k] - 0.5) > 0.01) changed++;
        expect(out[plane + k]).toBe(out[k]);
        expect(out[2 * plane + k]).toBe(out[k]);
      }
      expect(changed, defect).toBeGreaterThan(0);
      expect(changed, defect).toBeLessThan(plane / 2);
    }
    expect(gray.data.every((v) => v === 0.5)).toBe(true);
  });

  it('draws the same defect from the same seed', () => {
    const a = implantDefect(gray, 'stain', new Random(7));
    expect(implantDefect(gray, 'stain', new Random(7))).toEqual(a);
    expect(implantDefect(gray, 'stain', new Random(8))).not.toEqual(a);
  });
});

describe('training with an automatic top-k', () => {
  const SIDE = 128;
  const INPUT: InputSpec = { policy: 'fill', size: SIDE, multiple: 16 };
  const MODELS = path.resolve(import.meta.dirname, '../../models');
  let root: string;
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('records the choice and every candidate\'s AUROC in the manifest, and a retrain chooses again', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kensa-top-k-'));
    const data = await generateDataset({ out: path.join(root, 'metal'), kind: 'metal', seed: 5, train: 30, testGood: 0, testDefect: 0, width: SIDE, height: SIDE });
    expect(DEFAULT_RECIPE.scoreTopK).toBe('auto');
    const recipe = { ...DEFAULT_RECIPE, method: 'gaussian' as const, input: INPUT, validationFraction: 0.3 };
    const prepared = await prepareTraining(trainingConfig(recipe, path.join(data.root, 'train', 'good'), MODELS, { threads: 2 }));
    const pkg = await packageMethod(prepared, 'gaussian', { product: 'metal', version: 'auto', dir: path.join(root, 'package') });

    const config = pkg.manifest.training.config;
    const choice = config.scoreTopKChoice as TopKChoice;
    expect(choice.goodImages).toBe(prepared.validation.length);
    expect(choice.defectiveImages).toBe(2 * prepared.validation.length);
    expect(choice.candidates.map((c) => c.k)).toContain(choice.k);
    expect(config.scoreTopK).toBe(choice.k);
    // The implanted defects are visible to a model trained on good plates.
    expect(Math.max(...choice.candidates.map((c) => c.auroc))).toBeGreaterThan(0.7);
    expect(recipeOf(pkg)!.scoreTopK).toBe('auto');
  }, 180_000);
});
