/** Reading a region of interest from a mask image, with real sharp on real files. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRoi } from '../../src/model/roi.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'kensa-roi-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/** A grey PNG of width x height whose pixels are `white(x, y) ? 255 : 0`. */
async function maskFile(name: string, width: number, height: number, white: (x: number, y: number) => boolean): Promise<string> {
  const pixels = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = white(x, y) ? 255 : 0;
  const file = path.join(root, name);
  await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toFile(file);
  return file;
}

describe('loadRoi', () => {
  it('reads the inspected share, keeps the mask as a binary PNG and a reduced copy for the model', async () => {
    // A wide frame, the right quarter inspected.
    const file = await maskFile('quarter.png', 1024, 512, (x) => x >= 768);
    const roi = await loadRoi(file);
    expect(roi.coverage).toBeCloseTo(0.25, 6);
    expect([roi.reduced.width, roi.reduced.height]).toEqual([256, 128]);
    expect(roi.reduced.inspected[191]).toBe(0);
    expect(roi.reduced.inspected[192]).toBe(1);

    const meta = await sharp(roi.png).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 1024, 512, 1]);
    const kept = await sharp(roi.png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([kept.data[767], kept.data[768]]).toEqual([0, 255]);
  });

  it('keeps a small mask at its own size', async () => {
    const roi = await loadRoi(await maskFile('small.png', 20, 10, (x, y) => x + y > 5));
    expect([roi.reduced.width, roi.reduced.height]).toEqual([20, 10]);
  });

  it('refuses a mask that ignores the whole frame', async () => {
    await expect(loadRoi(await maskFile('black.png', 64, 64, () => false))).rejects.toThrow(/ignores the whole frame/);
  });

  it('refuses a file that is not an image, and a missing file, naming it', async () => {
    const text = path.join(root, 'notes.png');
    await writeFile(text, 'white is inspected\n');
    await expect(loadRoi(text)).rejects.toThrow(new RegExp(`region of interest ${text}: .*(format|image)`, 'i'));
    await expect(loadRoi(path.join(root, 'missing.png'))).rejects.toThrow(/region of interest .*missing\.png/);
  });
});
