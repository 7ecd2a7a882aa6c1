import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMask, resizePlane } from '../../src/datasets/mask.js';
import { ImageError } from '../../src/image/errors.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-mask-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Writes a grey 8-bit PNG from rows of 0/1 (scaled to 0/255). */
async function maskFile(name: string, rows: number[][]): Promise<string> {
  const height = rows.length;
  const width = rows[0].length;
  const file = path.join(tmp, name);
  const data = Uint8Array.from(rows.flat(), (v) => v * 255);
  await writeFile(file, await sharp(data, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer());
  return file;
}

describe('resizePlane', () => {
  it('area averages exactly, with fractional overlaps', () => {
    // 3 -> 2 along x: output 0 covers source [0, 1.5), output 1 covers [1.5, 3)
    const out = resizePlane(Float32Array.of(1, 0, 0.5), { width: 3, height: 1 }, { width: 2, height: 1 }, 'area');
    expect(out[0]).toBeCloseTo((1 * 1 + 0 * 0.5) / 1.5, 6);
    expect(out[1]).toBeCloseTo((0 * 0.5 + 0.5 * 1) / 1.5, 6);
    // 4x4 -> 2x2: each output is the mean of a 2x2 block
    const block = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(resizePlane(block, { width: 4, height: 4 }, { width: 2, height: 2 }, 'area'))).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('nearest samples the source pixel under each output centre', () => {
    const row = Float32Array.from({ length: 6 }, (_, i) => i);
    expect(Array.from(resizePlane(row, { width: 6, height: 1 }, { width: 3, height: 1 }, 'nearest'))).toEqual([1, 3, 5]);
    expect(Array.from(resizePlane(Float32Array.of(7, 9), { width: 2, height: 1 }, { width: 4, height: 1 }, 'nearest'))).toEqual([7, 7, 9, 9]);
  });
});

describe('loadMask', () => {
  it('at the original size: 0/1 per pixel, row-major', async () => {
    const file = await maskFile('plain.png', [
      [0, 1, 0],
      [1, 1, 0],
    ]);
    expect(Array.from(await loadMask(file, 'original'))).toEqual([0, 1, 0, 1, 1, 0]);
  });

  it('area keeps output pixels that are at least half defect, nearest follows centres', async () => {
    // 4x2 -> 2x1: left block has 2 of 4 defect pixels (0.5 -> 1), right block 1 of 4 (0.25 -> 0)
    const file = await maskFile('blocks.png', [
      [1, 1, 0, 0],
      [0, 0, 0, 1],
    ]);
    expect(Array.from(await loadMask(file, { width: 2, height: 1 }, { resize: 'area' }))).toEqual([1, 0]);
    // nearest: output (0,0) centre maps to source (1, 1) -> 0; output (1,0) to source (3, 1) -> 1
    expect(Array.from(await loadMask(file, { width: 2, height: 1 }, { resize: 'nearest' }))).toEqual([0, 1]);
    // default is area
    expect(Array.from(await loadMask(file, { width: 2, height: 1 }))).toEqual([1, 0]);
  });

  it('a thin line survives area shrinking only where it covers half an output pixel', async () => {
    const rows = Array.from({ length: 8 }, () => Array.from({ length: 8 }, (_, x) => (x === 3 ? 1 : 0)));
    const file = await maskFile('line.png', rows);
    // 8 -> 4: output column 1 covers source columns 2 and 3, half defect -> 1
    expect(Array.from(await loadMask(file, { width: 4, height: 4 }, { resize: 'area' }))).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]);
    // 8 -> 2: a quarter of each output pixel -> gone
    expect(Array.from(await loadMask(file, { width: 2, height: 2 }, { resize: 'area' }))).toEqual([0, 0, 0, 0]);
  });

  it('colour and 16-bit masks: any strong channel marks a defect', async () => {
    const red = path.join(tmp, 'red.png');
    await writeFile(red, await sharp(Uint8Array.of(255, 0, 0, 0, 0, 0), { raw: { width: 2, height: 1, channels: 3 } }).png().toBuffer());
    expect(Array.from(await loadMask(red, 'original'))).toEqual([1, 0]);
    const sixteen = path.join(tmp, 'sixteen.png');
    await writeFile(
      sixteen,
      await sharp(Uint16Array.of(40000, 20000), { raw: { width: 2, height: 1, channels: 1 } }).toColourspace('grey16').png().toBuffer(),
    );
    expect(Array.from(await loadMask(sixteen, 'original'))).toEqual([1, 0]);
  });

  it('a broken mask file is an ImageError', async () => {
    const file = path.join(tmp, 'broken.png');
    await writeFile(file, 'not a mask');
    await expect(loadMask(file, 'original')).rejects.toBeInstanceOf(ImageError);
  });
});
