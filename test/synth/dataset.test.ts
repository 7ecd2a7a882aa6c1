/** generateDataset on real files: the MVTec AD layout, masks, determinism, variation of good parts. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/synth/generate.js';
import { PRODUCTS } from '../../src/synth/products/index.js';
import { listFiles, readPng } from './png.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-synth-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const small = { train: 3, testGood: 2, testDefect: 2, width: 96, height: 80 };

describe.each(['metal', 'flange', 'strip'])('%s dataset', (kind) => {
  const product = PRODUCTS[kind];

  it('has exactly the MVTec AD layout, with binary masks the size of their images', async () => {
    const out = path.join(tmp, `layout-${kind}`);
    const dataset = await generateDataset({ out, kind, seed: 5, ...small });

    const expected = ['dataset.json'];
    for (let n = 0; n < small.train; n++) expected.push(`train/good/00${n}.png`);
    for (let n = 0; n < small.testGood; n++) expected.push(`test/good/00${n}.png`);
    for (const defect of product.defects) {
      for (let n = 0; n < small.testDefect; n++) expected.push(`test/${defect}/00${n}.png`, `ground_truth/${defect}/00${n}_mask.png`);
    }
    expect(await listFiles(out)).toEqual(expected.sort());
    expect(dataset.images).toHaveLength(small.train + small.testGood + small.testDefect * product.defects.length);

    for (const entry of dataset.images) {
      const image = await readPng(entry.image);
      expect([image.width, image.height, image.channels]).toEqual([small.width, small.height, product.channels]);
      expect(entry.mask === null).toBe(entry.category === 'good');
      if (entry.mask === null) continue;
      const mask = await readPng(entry.mask);
      expect([mask.width, mask.height, mask.channels]).toEqual([small.width, small.height, 1]);
      expect(mask.data.every((v) => v === 0 || v === 255)).toBe(true);
      expect(mask.data.includes(255)).toBe(true);
    }

    const manifest = JSON.parse(await readFile(path.join(out, 'dataset.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'mvtec-ad', kind, seed: 5, width: 96, height: 80, channels: product.channels, defects: product.defects });
    expect(manifest.counts).toEqual(dataset.counts);
    expect(manifest.counts['train/good']).toBe(3);
  });

  it('is deterministic: the same seed gives identical bytes, another seed other images', async () => {
    const options = { kind, seed: 11, ...small };
    const a = path.join(tmp, `same-a-${kind}`);
    const b = path.join(tmp, `same-b-${kind}`);
    const c = path.join(tmp, `other-${kind}`);
    await generateDataset({ out: a, ...options });
    await generateDataset({ out: b, ...options });
    await generateDataset({ out: c, ...options, seed: 12 });
    const files = await listFiles(a);
    expect(await listFiles(b)).toEqual(files);
    for (const file of files) expect((await readFile(path.join(b, file))).equals(await readFile(path.join(a, file))), file).toBe(true);
    for (const file of files.filter((f) => f.endsWith('.png'))) {
      expect((await readFile(path.join(c, file))).equals(await readFile(path.join(a, file))), file).toBe(false);
    }
  });

  it('keeps every other image unchanged when one folder gets more images', async () => {
    const fewer = path.join(tmp, `fewer-${kind}`);
    const more = path.join(tmp, `more-${kind}`);
    await generateDataset({ out: fewer, kind, seed: 3, ...small });
    await generateDataset({ out: more, kind, seed: 3, ...small, train: small.train + 2 });
    const files = (await listFiles(fewer)).filter((f) => f.endsWith('.png'));
    for (const file of files) expect((await readFile(path.join(more, file))).equals(await readFile(path.join(fewer, file))), file).toBe(true);
  });

  it('renders good parts that vary like real ones: lighting, pose, texture, camera', async () => {
    const out = path.join(tmp, `variation-${kind}`);
    const dataset = await generateDataset({ out, kind, seed: 21, train: 12, testGood: 0, testDefect: 0, width: 128, height: 128 });
    const images = await Promise.all(dataset.images.map(async (entry) => (await readPng(entry.image)).data));
    const n = images.length;
    let meanStd = 0;
    for (let k = 0; k < images[0].length; k++) {
      let sum = 0;
      let squares = 0;
      for (const image of images) {
        sum += image[k];
        squares += image[k] * image[k];
      }
      meanStd += Math.sqrt(Math.max(0, squares / n - (sum / n) ** 2));
    }
    meanStd /= images[0].length;
    // Across good parts, a pixel's value spreads by ~15-30 grey levels on average (lighting
    // alone moves it by more than 10); identical or near-identical renders would give ~2 (noise).
    expect(meanStd).toBeGreaterThan(8);
    const brightness = images.map((image) => image.reduce((s, v) => s + v, 0) / image.length);
    expect(Math.max(...brightness) - Math.min(...brightness)).toBeGreaterThan(8);
  });
});

describe('the dataset folder', () => {
  it('is refused when it holds anything, unless overwriting, which replaces only the dataset', async () => {
    const out = path.join(tmp, 'reuse');
    await generateDataset({ out, kind: 'metal', seed: 1, ...small, testDefect: 1, train: 4 });
    await expect(generateDataset({ out, kind: 'metal', seed: 1, ...small })).rejects.toThrow(/not empty/);

    await writeFile(path.join(out, 'notes.txt'), 'keep me');
    await generateDataset({ out, kind: 'flange', seed: 1, ...small, train: 1, testGood: 0, testDefect: 1, overwrite: true });
    const files = await listFiles(out);
    expect(files).toContain('notes.txt');
    expect(files.filter((f) => f.startsWith('train/'))).toEqual(['train/good/000.png']);
    expect(files.some((f) => f.includes('/hole/'))).toBe(false); // a metal defect: the old dataset is gone
    expect(JSON.parse(await readFile(path.join(out, 'dataset.json'), 'utf8')).kind).toBe('flange');
  });

  it('rejects invalid options with a message naming them', async () => {
    const out = path.join(tmp, 'invalid');
    await mkdir(out);
    await expect(generateDataset({ out, kind: 'teapot', seed: 1 })).rejects.toThrow(/kind/);
    await expect(generateDataset({ out, kind: 'metal', seed: -1 })).rejects.toThrow(/seed/);
    await expect(generateDataset({ out, kind: 'metal', seed: 1, width: 8 })).rejects.toThrow(/width/);
  });
});
