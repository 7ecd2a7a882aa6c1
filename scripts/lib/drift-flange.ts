/**
 * The flange model the drift watch is measured against, in bench:drift and in its test: the
 * gaussian method (trains in seconds) on 100 synthetic good parts at a small input, calibrated on
 * a large share so the recorded reference has enough images to compare windows with.
 */
import path from 'node:path';
import { DEFAULT_RECIPE, trainingConfig } from '../../src/jobs/recipe.js';
import { generateDataset } from '../../src/synth/generate.js';
import { trainProduct } from '../../src/training/train-product.js';

/** Side of the synthetic frames, in pixels. */
export const DRIFT_FLANGE_SIDE = 96;

/** Trains flange v1 into `modelsDir`, its training images under `root`. */
export async function trainDriftFlange(root: string, modelsDir: string): Promise<void> {
  const side = DRIFT_FLANGE_SIDE;
  await generateDataset({ out: path.join(root, 'calibration'), kind: 'flange', seed: 3, train: 100, testGood: 0, testDefect: 0, width: side, height: side });
  await trainProduct({
    product: 'flange',
    version: 'v1',
    out: path.join(modelsDir, 'flange', 'v1'),
    ...trainingConfig({ ...DEFAULT_RECIPE, input: { policy: 'fill', size: 64, multiple: 16 }, validationFraction: 0.4 }, path.join(root, 'calibration'), 'models', {}),
    method: 'gaussian',
  });
}
