/**
 * `kensa train --tile` end to end on small synthetic steel strips: the package's manifest records
 * the tile grid (and what `auto` decided, and why), its retraining recipe keeps the request, and
 * the exported model, tiles and all in one ONNX graph, inspects an image, alone or batched with another.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTile } from '../../src/cli/training-options.js';
import { recipeOf } from '../../src/jobs/recipe.js';
import { readModelPackage } from '../../src/model/model-package.js';
import { decodeModel } from '../../src/onnx/proto.js';
import { generateDataset } from '../../src/synth/generate.js';
import { packBatch } from '../../src/image/batch.js';
import { decodeImage } from '../../src/image/decode.js';
import { ModelHost } from '../../src/server/inference/executor.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-tiled-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));
const kensa = (...args: string[]) => run('npx', ['tsx', 'src/cli/main.ts', ...args], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });

const data = path.join(tmp, 'strip');
// 320 x 120 frames at short side 96: 256 x 96 model inputs, 2 x 4 tiles of 96 px (64 px cores).
const common = ['--data', data, '--method', 'gaussian', '--resize', 'fit-short-side', '--input-size', '96', '--product', 'strip', '--threads', '2', '--models', path.join(repo, 'models')];

beforeAll(async () => {
  await generateDataset({ out: data, kind: 'strip', seed: 7, train: 12, testGood: 1, testDefect: 1, width: 320, height: 120 });
}, 60_000);

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a, (value, i) => Math.abs(value - b[i])).reduce((m, d) => Math.max(m, d), 0);

describe('kensa train --tile', () => {
  it('records the given grid, keeps it in the recipe, and the exported model inspects an image', async () => {
    const pkgDir = path.join(tmp, 'tiled');
    await kensa('train', ...common, '--tile', '96:16', '--out', pkgDir, '--model-version', 'tiled');
    const pkg = await readModelPackage(pkgDir);
    expect(pkg.manifest.backbone.tiling).toEqual({ grid: { size: 96, overlap: 16 }, reason: 'given: tiles of 96 px with a 16 px halo' });
    expect(recipeOf(pkg)?.features.tile).toEqual({ size: 96, overlap: 16 });
    // The tile indices are built at run time from the image's shape, inside the exported model.
    const ops = decodeModel(await readFile(pkg.modelPath)).graph.node!.map((n) => n.opType);
    expect(ops).toContain('Range');

    const image = path.join(data, 'test', 'good', '000.png');
    const { stdout } = await kensa('inspect', image, '--model', pkgDir);
    const verdict = JSON.parse(stdout) as { decision: string; score: number; rawScore: number };
    expect(['OK', 'NG']).toContain(verdict.decision);
    expect(Number.isFinite(verdict.rawScore)).toBe(true);
    expect(verdict.score).toBeGreaterThanOrEqual(0);

    // The server's micro-batcher puts same-size images of several requests in one batch: their
    // tiles then go through one run, and each image must score exactly as it does alone.
    const host = new ModelHost({ device: 'cpu', threads: 2 });
    try {
      await host.load('tiled', pkgDir);
      const images = await Promise.all(['good/000.png', 'scratch/000.png'].map(async (name) => decodeImage(await readFile(path.join(data, 'test', name)), pkg.manifest.input)));
      const alone = await Promise.all(images.map((image) => host.run('tiled', packBatch([image]), [image.original], { minRegionArea: 1 })));
      const together = await host.run('tiled', packBatch(images), images.map((image) => image.original), { minRegionArea: 1 });
      expect(together.verdicts).toHaveLength(2);
      together.verdicts.forEach((verdict, i) => {
        const single = alone[i].verdicts[0];
        expect(verdict.rawScore).toBeCloseTo(single.rawScore, 5);
        expect(verdict.map.width).toBe(single.map.width);
        expect(maxDifference(verdict.map.data, single.map.data)).toBeLessThanOrEqual(1);
      });
      expect(together.verdicts[0].rawScore).not.toBeCloseTo(together.verdicts[1].rawScore, 3);
    } finally {
      await host.close();
    }
  }, 120_000);

  it('auto leaves frames within the pixel budget whole, and says so', async () => {
    const pkgDir = path.join(tmp, 'auto');
    await kensa('train', ...common, '--tile', 'auto', '--out', pkgDir, '--model-version', 'auto');
    const pkg = await readModelPackage(pkgDir);
    expect(pkg.manifest.backbone.tiling?.grid).toBeNull();
    expect(pkg.manifest.backbone.tiling?.reason).toMatch(/largest model input is 256x96, within the 1024x1024 budget/);
    expect(recipeOf(pkg)?.features.tile).toBe('auto');
  }, 120_000);

  it('auto takes frames the recipe would shrink at their own resolution, and the package keeps it', async () => {
    const pkgDir = path.join(tmp, 'native');
    const small = common.map((arg) => (arg === '96' ? '64' : arg));
    await kensa('train', ...small, '--tile', 'auto', '--out', pkgDir, '--model-version', 'native');
    const pkg = await readModelPackage(pkgDir);
    expect(pkg.manifest.input).toEqual({ policy: 'fill', size: 320, height: 128, multiple: 16 });
    expect(pkg.manifest.backbone.tiling?.reason).toMatch(/own resolution, 320x128, not shrunk to the recipe's 64 px short side/);
    expect(recipeOf(pkg)?.input).toEqual(pkg.manifest.input);
    const { stdout } = await kensa('inspect', path.join(data, 'test', 'good', '000.png'), '--model', pkgDir);
    expect((JSON.parse(stdout) as { heatmap?: unknown; rawScore: number }).rawScore).toBeGreaterThan(0);
  }, 120_000);

  it('parses the flag', () => {
    expect(parseTile('auto')).toBe('auto');
    expect(parseTile('512:64')).toEqual({ size: 512, overlap: 64 });
    expect(parseTile('1024')).toEqual({ size: 1024, overlap: 96 });
    expect(() => parseTile('512x64')).toThrow(/auto, <size> or <size>:<overlap>/);
  });
});
