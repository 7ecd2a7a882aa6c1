/** The offline commands as a user runs them: train a package, inspect an image with it, evaluate methods. */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelPackage } from '../../src/model/model-package.js';
import { generateDataset } from '../../src/synth/generate.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-cli-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));
const kensa = (...args: string[]) => run('npx', ['tsx', 'src/cli/main.ts', ...args], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });

const data = path.join(tmp, 'metal');
const common = ['--input-size', '128', '--models', path.join(repo, 'models')];

beforeAll(async () => {
  await generateDataset({ out: data, kind: 'metal', seed: 5, train: 24, testGood: 4, testDefect: 2, width: 128, height: 128 });
}, 60_000);

describe('kensa train, inspect and eval', () => {
  const pkgDir = path.join(tmp, 'package');

  it('train writes a calibrated package', async () => {
    const { stdout } = await kensa('train', '--data', data, '--method', 'gaussian', '--out', pkgDir, '--product', 'metal', '--model-version', 'v1', ...common);
    expect(stdout).toContain(`gaussian model for metal in ${pkgDir}`);
    const pkg = await readModelPackage(pkgDir);
    expect(pkg.manifest.version).toBe('v1');
    expect(pkg.manifest.training.images + pkg.manifest.calibration.images).toBe(24);
    expect(pkg.manifest.calibration.image.threshold).toBeGreaterThan(pkg.manifest.calibration.image.center);
  }, 120_000);

  it('inspect prints a verdict and writes an overlay of the image size', async () => {
    const image = path.join(data, 'test', 'hole', '000.png');
    const overlay = path.join(tmp, 'overlay.png');
    const { stdout } = await kensa('inspect', image, '--model', pkgDir, '--out', overlay);
    const verdict = JSON.parse(stdout) as { decision: string; score: number; rawScore: number; regions: unknown[] };
    expect(['OK', 'NG']).toContain(verdict.decision);
    expect(verdict.decision === 'NG').toBe(verdict.score >= 0.5);
    expect(verdict.score).toBeGreaterThanOrEqual(0);
    const meta = await sharp(overlay).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([128, 128, 'png']);
  }, 60_000);

  it('eval prints the table and writes the JSON summary with every method', async () => {
    const json = path.join(tmp, 'eval.json');
    const report = path.join(tmp, 'report');
    const { stdout } = await kensa('eval', '--data', data, '--methods', 'gaussian,knn', '--json', json, '--report', report, ...common);
    expect(stdout).toMatch(/method\s+image AUROC\s+pixel AUROC\s+AUPRO@30%/);
    const summary = JSON.parse(await readFile(json, 'utf8')) as { dataset: string; methods: Record<string, Record<string, number>> };
    expect(summary.dataset).toBe(data);
    for (const method of ['gaussian', 'knn']) {
      for (const key of ['imageAuroc', 'pixelAuroc', 'aupro', 'f1']) {
        expect(summary.methods[method][key], `${method} ${key}`).toBeGreaterThanOrEqual(0);
        expect(summary.methods[method][key]).toBeLessThanOrEqual(1);
      }
      expect(summary.methods[method].msPerImage).toBeGreaterThan(0);
      // The backbone's weights alone are over a megabyte.
      expect(summary.methods[method].modelMB).toBeGreaterThan(1);
    }
    // Holes and contamination are easy: a working pipeline ranks them above the good parts.
    expect(summary.methods.gaussian.imageAuroc).toBeGreaterThan(0.7);
    expect((await sharp(path.join(report, 'roc.png')).metadata()).format).toBe('png');
    const worst = await readdir(path.join(report, 'heatmaps', 'knn', 'worst-defects'));
    expect(worst.length).toBeGreaterThan(0);
    expect((await sharp(path.join(report, 'heatmaps', 'knn', 'worst-defects', worst[0])).metadata()).width).toBe(128);
  }, 240_000);
});
