/**
 * The `strip` product: steel strip under a line camera at native resolution, with hairlines and
 * pinholes a few pixels wide. Layout, determinism and exact masks are checked for every product in
 * dataset.test.ts and masks.test.ts; here, what is particular to high-resolution frames.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/synth/generate.js';
import { PRODUCTS } from '../../src/synth/products/index.js';
import { renderSample } from '../../src/synth/render.js';
import { Random } from '../../src/util/random.js';
import { listFiles, readPng } from './png.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-synth-strip-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const strip = PRODUCTS.strip;

/** Every pixel within Chebyshev distance `radius` of a mask pixel (separable box dilation). */
function dilate(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const across = new Uint8Array(mask.length);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      for (let d = Math.max(0, i - radius); d <= Math.min(width - 1, i + radius); d++) {
        if (mask[j * width + d]) {
          across[j * width + i] = 1;
          break;
        }
      }
    }
  }
  const out = new Uint8Array(mask.length);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      for (let d = Math.max(0, j - radius); d <= Math.min(height - 1, j + radius); d++) {
        if (across[d * width + i]) {
          out[j * width + i] = 1;
          break;
        }
      }
    }
  }
  return out;
}

/** Mean grey level inside the mask minus the mean over a ring 3 to 6 px around it. */
function contrastToSurroundings(image: Uint8Array, mask: Uint8Array, width: number, height: number): number {
  const near = dilate(mask, width, height, 2);
  const far = dilate(mask, width, height, 6);
  let inside = 0;
  let insideCount = 0;
  let ring = 0;
  let ringCount = 0;
  for (let k = 0; k < mask.length; k++) {
    if (mask[k]) {
      inside += image[k];
      insideCount++;
    } else if (far[k] && !near[k]) {
      ring += image[k];
      ringCount++;
    }
  }
  return inside / insideCount - ring / ringCount;
}

function boundingBox(mask: Uint8Array, width: number): { width: number; height: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < mask.length; k++) {
    if (!mask[k]) continue;
    const x = k % width;
    const y = Math.floor(k / width);
    [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
  }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function correlation(a: Float64Array, b: Float64Array): number {
  const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('strip dataset', () => {
  it('is written at the line camera size by default, in the MVTec AD layout, grayscale', async () => {
    const out = path.join(tmp, 'default-size');
    const dataset = await generateDataset({ out, kind: 'strip', seed: 4, train: 1, testGood: 0, testDefect: 1 });
    expect(strip.defects).toEqual(expect.arrayContaining(['hairline', 'pinhole']));
    const expected = ['dataset.json', 'train/good/000.png'];
    for (const defect of strip.defects) expected.push(`test/${defect}/000.png`, `ground_truth/${defect}/000_mask.png`);
    expect(await listFiles(out)).toEqual(expected.sort());

    for (const entry of dataset.images) {
      const image = await readPng(entry.image);
      expect([image.width, image.height, image.channels]).toEqual([2048, 768, 1]);
    }
    const manifest = JSON.parse(await readFile(path.join(out, 'dataset.json'), 'utf8'));
    expect(manifest).toMatchObject({ kind: 'strip', width: 2048, height: 768, channels: 1, counts: { 'train/good': 1, 'test/good': 0, 'test/hairline': 1 } });
  });

  it('generates a 5-megapixel 2592x1944 grayscale frame', async () => {
    const out = path.join(tmp, 'five-megapixels');
    const dataset = await generateDataset({ out, kind: 'strip', seed: 8, train: 1, testGood: 0, testDefect: 0, width: 2592, height: 1944 });
    const image = await readPng(dataset.images[0].image);
    expect([image.width, image.height, image.channels]).toEqual([2592, 1944, 1]);
  });

  it('refuses frames beyond what a line camera delivers', async () => {
    const out = path.join(tmp, 'too-large');
    await expect(generateDataset({ out, kind: 'strip', seed: 1, width: 8192, height: 4096 })).rejects.toThrow(/pixels/);
    await expect(generateDataset({ out, kind: 'strip', seed: 1, width: 9000, height: 100 })).rejects.toThrow(/width/);
  });
});

describe('strip defects at native resolution', () => {
  const size = { width: 1024, height: 384 };
  const pixels = size.width * size.height;

  it.each(['hairline', 'pinhole'])('%s: a small mask, never empty, over a clearly visible defect', (defect) => {
    for (let n = 0; n < 5; n++) {
      const { image, mask } = renderSample(strip, size, new Random(n).fork(`strip-test/${defect}`), defect);
      const area = mask!.reduce((sum, v) => sum + (v ? 1 : 0), 0);
      expect(area, `${defect} #${n}: empty mask`).toBeGreaterThan(0);
      const box = boundingBox(mask!, size.width);
      if (defect === 'hairline') {
        // A few tens to a few hundred px long, 1-3 px wide: a fraction of a percent of the frame.
        expect(area / pixels, `${defect} #${n}: area`).toBeLessThan(0.005);
        expect(Math.max(box.width, box.height), `${defect} #${n}: length`).toBeGreaterThanOrEqual(15);
      } else {
        // 3-8 px across; anti-aliasing and a lumpy outline add a pixel or two.
        expect(Math.max(box.width, box.height), `${defect} #${n}: diameter`).toBeLessThanOrEqual(12);
        expect(Math.max(box.width, box.height), `${defect} #${n}: diameter`).toBeGreaterThanOrEqual(3);
      }
      const contrast = contrastToSurroundings(image, mask!, size.width, size.height);
      // The texture and sensor noise move a local mean by a grey level or two.
      expect(Math.abs(contrast), `${defect} #${n}: contrast`).toBeGreaterThan(6);
      if (defect === 'hairline') expect(contrast, `${defect} #${n}: darker than the surface`).toBeLessThan(0);
    }
  });
});

describe('good strips', () => {
  it('share their statistics: brightness, texture and rolling marks that run along the strip', () => {
    const size = { width: 512, height: 256 };
    for (let n = 0; n < 8; n++) {
      const { image } = renderSample(strip, size, new Random(n).fork('strip-test/good'), null);
      const mean = image.reduce((sum, v) => sum + v, 0) / image.length;
      const std = Math.sqrt(image.reduce((sum, v) => sum + (v - mean) ** 2, 0) / image.length);
      expect(mean, `#${n}: brightness`).toBeGreaterThan(60);
      expect(mean, `#${n}: brightness`).toBeLessThan(160);
      expect(std, `#${n}: texture`).toBeGreaterThan(3);
      expect(std, `#${n}: texture`).toBeLessThan(12);
      // Rolling marks and the line light's profile are the same down the image: the column
      // means of its top and bottom halves agree.
      const top = new Float64Array(size.width);
      const bottom = new Float64Array(size.width);
      for (let j = 0; j < size.height; j++) {
        const half = j < size.height / 2 ? top : bottom;
        for (let i = 0; i < size.width; i++) half[i] += image[j * size.width + i];
      }
      expect(correlation(top, bottom), `#${n}: rolling marks`).toBeGreaterThan(0.5);
    }
  });
});
