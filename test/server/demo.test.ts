/** First start trains the bundled demo product; later starts reuse it. */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readModelPackage } from '../../src/model/model-package.js';
import { DEMO_PRODUCT, ensureDemoProduct } from '../../src/server/demo.js';
import { createLogger } from '../../src/server/logger.js';
import { scoreImages } from '../../src/training/score-images.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'kensa-demo-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('the demo product', () => {
  const modelsDir = path.join(root, 'models');
  const dataDir = path.join(root, 'data');
  const logger = createLogger('silent');

  it('is generated and trained on first start, and tells good from defective parts', async () => {
    const started = performance.now();
    const demo = await ensureDemoProduct(modelsDir, dataDir, logger);
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(120);
    const pkg = await readModelPackage(path.join(modelsDir, DEMO_PRODUCT, 'demo-1'));
    expect(pkg.manifest.method).toBe('dxmi');
    expect((await stat(demo.example)).isFile()).toBe(true);

    const good = path.join(demo.dataset, 'test', 'good');
    const files = [0, 1, 2, 3].map((i) => path.join(good, `00${i}.png`));
    const defects = ['scratch', 'contamination', 'missing'].map((d) => path.join(demo.dataset, 'test', d, '000.png'));
    const run = await scoreImages(pkg.modelPath, [...files, ...defects], pkg.manifest.input);
    const goodMax = Math.max(...run.images.slice(0, 4).map((s) => s.score));
    const defectScores = run.images.slice(4).map((s) => s.score);
    // Most of these obvious defects score above every good part.
    expect(defectScores.filter((s) => s > goodMax).length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('is reused on the next start without retraining', async () => {
    const manifest = path.join(modelsDir, DEMO_PRODUCT, 'demo-1', 'manifest.json');
    const before = await readFile(manifest, 'utf8');
    const started = performance.now();
    await ensureDemoProduct(modelsDir, dataDir, logger);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await readFile(manifest, 'utf8')).toBe(before);
  });
});
