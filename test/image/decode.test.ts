/** Decoding every supported format and bit depth with real sharp, checked pixel by pixel. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, probeImage, type DecodedImage } from '../../src/image/decode.js';
import type { InputSpec } from '../../src/model/manifest.js';
import { at, bmp, jpeg, pattern8, png, tiff, webp, type Samples } from './fixtures.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-image-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** fill at the image's own size: no resampling, so lossless formats must come back exactly. */
const identity = (size: number): InputSpec => ({ policy: 'fill', size, multiple: 1 });

/** Expected planar value of channel c at pixel p from interleaved samples (grey repeats). */
function expected(samples: Samples, channels: number, p: number, c: number): number {
  const max = samples instanceof Uint16Array ? 65535 : 255;
  const colour = channels >= 3 ? samples[p * channels + c] : samples[p * channels];
  return colour / max;
}

function expectExact(image: DecodedImage, samples: Samples, channels: number, tolerance = 1e-6) {
  const plane = image.width * image.height;
  let worst = 0;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(image.data[c * plane + p] - expected(samples, channels, p, c)));
  }
  expect(worst).toBeLessThanOrEqual(tolerance);
}

const W = 12;
const H = 12;

describe('lossless formats, 8 bits', () => {
  const cases = [
    ['png', png],
    ['tiff', tiff],
    ['webp', webp],
  ] as const;
  for (const [format, encode] of cases) {
    it(`${format}: RGB comes back exactly, planar`, async () => {
      const samples = pattern8(W, H, 3);
      const image = await decodeImage(await encode(samples, W, H, 3), identity(W));
      expect(image.original).toMatchObject({ format, width: W, height: H, channels: 3, bitDepth: 8, hasAlpha: false, orientation: 1 });
      expect(image.data).toHaveLength(3 * W * H);
      expectExact(image, samples, 3);
      // planar: red of pixel (5, 2) lives in the first plane, green in the second
      expect(at(image, 5, 2)).toEqual([0, 1, 2].map((c) => Math.fround(samples[(2 * W + 5) * 3 + c] / 255)));
    });

    if (format !== 'webp') {
      // WebP has no grey mode: libwebp stores grey as RGB
      it(`${format}: grey becomes three equal channels`, async () => {
        const samples = pattern8(W, H, 1);
        const image = await decodeImage(await encode(samples, W, H, 1), identity(W));
        expect(image.original.channels).toBe(1);
        expectExact(image, samples, 1);
      });
    }
  }
});

describe('16 bits', () => {
  // values 3 apart: 8 bits would merge about 85 neighbours into one level
  const gradient = (channels: number) => Uint16Array.from({ length: W * H * channels }, (_, i) => 1000 + i * 3);

  for (const [format, encode] of [
    ['png', png],
    ['tiff', tiff],
  ] as const) {
    for (const channels of [1, 3] as const) {
      it(`${format} ${channels === 1 ? 'grey' : 'RGB'} 16-bit keeps 16-bit precision`, async () => {
        const samples = gradient(channels);
        const bytes = await encode(samples, W, H, channels);
        const image = await decodeImage(bytes, identity(W));
        expect(image.original).toMatchObject({ format, channels, bitDepth: 16 });
        expectExact(image, samples, channels, 1e-7);
        // neighbours 3/65535 apart stay apart (8 bits would give equal values)
        expect(image.data[1] - image.data[0]).toBeCloseTo((channels === 1 ? 3 : 9) / 65535, 8);
        const levels = new Set(Array.from(image.data.subarray(0, W * H), (v) => Math.round(v * 65535)));
        expect(levels.size).toBe(W * H);
      });
    }
  }

  it('16-bit survives resizing with more than 8-bit resolution', async () => {
    // a smooth 16-bit ramp, downscaled 2x: the outputs must not sit on the 8-bit grid
    const samples = Uint16Array.from({ length: 64 * 64 }, (_, i) => 20000 + (i % 64) * 7);
    const image = await decodeImage(await png(samples, 64, 64, 1), identity(32));
    const offGrid = Array.from(image.data.subarray(0, 32), (v) => Math.abs(v * 255 - Math.round(v * 255)));
    expect(Math.max(...offGrid)).toBeGreaterThan(0.01);
    // and the ramp is still monotonic and in range
    for (let x = 1; x < 32; x++) expect(image.data[x]).toBeGreaterThan(image.data[x - 1]);
    expect(image.data[0]).toBeGreaterThan(20000 / 65535 - 1e-3);
  });
});

describe('alpha', () => {
  // colour (200, 100, 50) at alpha 128 everywhere
  const rgba8 = Uint8Array.from({ length: 4 * 4 * 4 }, (_, i) => [200, 100, 50, 128][i % 4]);
  const a = 128 / 255;

  for (const [format, encode] of [
    ['png', png],
    ['tiff', tiff],
    ['webp', webp],
  ] as const) {
    it(`${format} RGBA is flattened onto black by default`, async () => {
      const image = await decodeImage(await encode(rgba8, 4, 4, 4), identity(4));
      expect(image.original).toMatchObject({ channels: 4, hasAlpha: true });
      const [r, g, b] = at(image, 1, 1);
      expect(r).toBeCloseTo((200 / 255) * a, 5);
      expect(g).toBeCloseTo((100 / 255) * a, 5);
      expect(b).toBeCloseTo((50 / 255) * a, 5);
    });
  }

  it('the background is configurable', async () => {
    const image = await decodeImage(await png(rgba8, 4, 4, 4), identity(4), { background: [1, 0.5, 0] });
    const [r, g, b] = at(image, 2, 3);
    expect(r).toBeCloseTo((200 / 255) * a + (1 - a), 5);
    expect(g).toBeCloseTo((100 / 255) * a + 0.5 * (1 - a), 5);
    expect(b).toBeCloseTo((50 / 255) * a, 5);
  });

  it('16-bit RGBA flattens exactly onto a white background', async () => {
    const rgba16 = Uint16Array.from({ length: 4 * 4 * 4 }, (_, i) => [60000, 30000, 1000, 16384][i % 4]);
    const image = await decodeImage(await png(rgba16, 4, 4, 4), identity(4), { background: [1, 1, 1] });
    expect(image.original).toMatchObject({ bitDepth: 16, hasAlpha: true });
    const alpha = 16384 / 65535;
    expect(at(image, 0, 0)[0]).toBeCloseTo((60000 / 65535) * alpha + (1 - alpha), 6);
    expect(at(image, 3, 3)[2]).toBeCloseTo((1000 / 65535) * alpha + (1 - alpha), 6);
  });

  it('grey + alpha becomes grey on the background', async () => {
    const ga = Uint8Array.from({ length: 4 * 4 * 2 }, (_, i) => (i % 2 === 0 ? 255 : 51));
    const image = await decodeImage(await png(ga, 4, 4, 2), identity(4), { background: [0, 0, 1] });
    expect(image.original).toMatchObject({ channels: 2, hasAlpha: true });
    const alpha = 51 / 255;
    expect(at(image, 0, 0)).toEqual([alpha, alpha, alpha + (1 - alpha)].map((v) => expect.closeTo(v, 5)));
  });
});

describe('JPEG', () => {
  it('RGB and grey decode close to the source', async () => {
    // flat 8x8 blocks survive JPEG almost unchanged
    const rgb = new Uint8Array(16 * 16 * 3);
    for (let p = 0; p < 256; p++) rgb.set(p % 16 < 8 ? [220, 40, 40] : [30, 60, 200], p * 3);
    const image = await decodeImage(await jpeg(rgb, 16, 16, 3), identity(16));
    expect(image.original).toMatchObject({ format: 'jpeg', channels: 3, bitDepth: 8 });
    at(image, 2, 5).forEach((v, c) => expect(Math.abs(v - [220, 40, 40][c] / 255)).toBeLessThan(0.04));
    at(image, 13, 5).forEach((v, c) => expect(Math.abs(v - [30, 60, 200][c] / 255)).toBeLessThan(0.04));

    const grey = await decodeImage(await jpeg(new Uint8Array(64).fill(90), 8, 8, 1), identity(8));
    expect(grey.original.channels).toBe(1);
    at(grey, 4, 4).forEach((v) => expect(v).toBeCloseTo(90 / 255, 2));
  });

  it('EXIF orientation 6 is applied: the stored image is turned 90 degrees clockwise', async () => {
    // stored 40 wide x 20 high, red block in the top-left 20 x 10, black elsewhere
    const stored = new Uint8Array(40 * 20 * 3);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) stored[(y * 40 + x) * 3] = 255;
    const bytes = await sharp(stored, { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(bytes).metadata()).orientation).toBe(6);

    // short side 20 at scale 1: the output is the displayed image, 20 wide x 40 high
    const image = await decodeImage(bytes, { policy: 'fit-short-side', size: 20, multiple: 4 });
    expect(image.original).toMatchObject({ width: 20, height: 40, orientation: 6 });
    expect([image.width, image.height]).toEqual([20, 40]);
    // turned clockwise, the top-left block is now top-right: x in [10, 20), y in [0, 20)
    expect(at(image, 15, 5)[0]).toBeGreaterThan(0.9);
    expect(at(image, 15, 15)[0]).toBeGreaterThan(0.9);
    expect(at(image, 5, 5)[0]).toBeLessThan(0.1);
    expect(at(image, 15, 30)[0]).toBeLessThan(0.1);
    expect(at(image, 5, 35)[0]).toBeLessThan(0.1);
  });
});

describe('BMP', () => {
  it('24-bit RGB comes back exactly (fast-bmp, bottom-up rows, padded rows)', async () => {
    const samples = pattern8(7, 5, 3); // 21-byte rows are padded to 24 in the file
    const image = await decodeImage(bmp(samples, 7, 5, 3), { policy: 'fill', size: 7, multiple: 1 });
    expect(image.original).toMatchObject({ format: 'bmp', width: 7, height: 5, channels: 3, bitDepth: 8 });
    // fill squashes 7x5 to 7x7; decode at the stored size to compare exactly
    expect([image.width, image.height]).toEqual([7, 7]);
    const square = pattern8(7, 7, 3);
    expectExact(await decodeImage(bmp(square, 7, 7, 3), identity(7)), square, 3);
  });

  it('8-bit grey and 32-bit RGBA', async () => {
    const grey = pattern8(5, 5, 1);
    expectExact(await decodeImage(bmp(grey, 5, 5, 1), identity(5)), grey, 1);

    const rgba = Uint8Array.from({ length: 3 * 3 * 4 }, (_, i) => [200, 100, 50, 255][i % 4]);
    rgba[4 * 4 + 3] = 0; // the centre pixel is fully transparent
    const image = await decodeImage(bmp(rgba, 3, 3, 4), identity(3), { background: [0, 1, 0] });
    expect(image.original).toMatchObject({ channels: 4, hasAlpha: true });
    expect(at(image, 0, 0)).toEqual([200 / 255, 100 / 255, 50 / 255].map((v) => expect.closeTo(v, 6)));
    expect(at(image, 1, 1)).toEqual([0, 1, 0]);
  });
});

describe('format comes from the bytes, not the name', () => {
  it('a PNG saved as photo.jpg decodes as PNG', async () => {
    const file = path.join(tmp, 'photo.jpg');
    await writeFile(file, await png(pattern8(4, 4, 3), 4, 4, 3));
    const bytes = await readFile(file);
    expect((await probeImage(bytes)).format).toBe('png');
    expect((await decodeImage(bytes, identity(4))).original.format).toBe('png');
  });
});

describe('resize policies end to end', () => {
  it('fill and fit-short-side give the exact target sizes for a 630x101 image', async () => {
    const bytes = await png(pattern8(630, 101, 3), 630, 101, 3);
    const fill = await decodeImage(bytes, { policy: 'fill', size: 224, multiple: 32 });
    expect([fill.width, fill.height, fill.data.length]).toEqual([224, 224, 3 * 224 * 224]);

    const fit = await decodeImage(bytes, { policy: 'fit-short-side', size: 224, multiple: 32 });
    expect([fit.width, fit.height, fit.data.length]).toEqual([1408, 224, 3 * 1408 * 224]);

    const capped = await decodeImage(bytes, { policy: 'fit-short-side', size: 224, maxSize: 512, multiple: 16 });
    expect([capped.width, capped.height, capped.data.length]).toEqual([512, 80, 3 * 512 * 80]);
    expect(capped.original).toMatchObject({ width: 630, height: 101 });
  });

  it('resizing keeps a left/right split in place', async () => {
    const rgb = new Uint8Array(60 * 30 * 3);
    for (let p = 0; p < 60 * 30; p++) if (p % 60 >= 30) rgb.set([255, 255, 255], p * 3);
    const image = await decodeImage(await png(rgb, 60, 30, 3), { policy: 'fill', size: 16, multiple: 1 });
    expect(at(image, 2, 8)[1]).toBeLessThan(0.02);
    expect(at(image, 13, 8)[1]).toBeGreaterThan(0.98);
    for (const v of image.data) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('decodes straight into a caller-provided buffer', async () => {
    const out = new Float32Array(3 * 8 * 8).fill(-1);
    const image = await decodeImage(await png(pattern8(8, 8, 3), 8, 8, 3), identity(8), { out });
    expect(image.data).toBe(out);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
    await expect(decodeImage(await png(pattern8(8, 8, 3), 8, 8, 3), identity(8), { out: new Float32Array(5) })).rejects.toThrow(RangeError);
  });
});
