/**
 * The header check reads a file's first bytes, never the whole file, and refuses a file over the
 * byte cap by its size. Huge files are sparse (truncate allocates no disk): reading one whole
 * would fail outright (ERR_FS_FILE_TOO_LARGE past 2 GiB) or fill memory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFiles } from '../../src/datasets/scan.js';
import { writeHugePng } from '../helpers/huge-image.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-scan-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const GiB = 1024 ** 3;

/** Random pixels: they do not compress, so the file is far longer than the bytes the check reads first. */
const noise = (width: number, height: number) => sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } });

describe('checkFiles header check', () => {
  beforeAll(async () => {
    await writeHugePng(path.join(tmp, 'huge.png'), 8 * GiB);
    await writeFile(path.join(tmp, 'long.png'), await noise(400, 300).png().toBuffer());
    await writeFile(path.join(tmp, 'long.tif'), await noise(410, 290).tiff().toBuffer());
  });

  it('probes an 8 GiB file by its header', async () => {
    const [checked] = await checkFiles(tmp, ['huge.png'], 'header', {});
    expect(checked.problem).toBeUndefined();
    expect(checked.info).toMatchObject({ format: 'png', width: 64, height: 48 });
  });

  it('probes PNG and TIFF files longer than the bytes it reads first', async () => {
    const checked = await checkFiles(tmp, ['long.png', 'long.tif'], 'header', {});
    expect(checked.map((file) => [file.problem, file.info?.format, file.info?.width, file.info?.height])).toEqual([
      [undefined, 'png', 400, 300],
      [undefined, 'tiff', 410, 290],
    ]);
  });

  it('refuses a file over the byte cap by its size, with the reason', async () => {
    const [checked] = await checkFiles(tmp, ['huge.png'], 'header', { maxBytes: 32 * 1024 * 1024 });
    expect(checked.info).toBeUndefined();
    expect(checked.problem).toBe(`too large: the file has ${8 * GiB} bytes, an image may have at most ${32 * 1024 * 1024}`);
  });

  it('lists a file the full check cannot read whole instead of failing', async () => {
    const [checked] = await checkFiles(tmp, ['huge.png'], 'full', {});
    expect(checked.problem).toBe('cannot be read: ERR_FS_FILE_TOO_LARGE');
  });

  it('still applies the pixel limit to a long file', async () => {
    const [checked] = await checkFiles(tmp, ['long.tif'], 'header', { maxPixels: 1000 });
    expect(checked.problem).toMatch(/^too-many-pixels: /);
  });
});
