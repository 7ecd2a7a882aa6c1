/** The check of a staged training set applies the per-image byte cap an upload's files and zip entries have. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { checkTrainingImages } from '../../src/jobs/training-images.js';
import { greyPng } from '../server/harness.js';
import { writeHugePng } from '../helpers/huge-image.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-training-images-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

it('skips a server-folder file over the per-image cap, saying why', async () => {
  for (let i = 0; i < 10; i++) await writeFile(path.join(tmp, `good-${i}.png`), await greyPng(32, 32, 100 + i));
  await writeHugePng(path.join(tmp, 'huge.png'), 64 * 1024 * 1024);
  const check = await checkTrainingImages(tmp, { strict: false, maxImages: 100, maxPixels: 1e6, maxImageBytes: 32 * 1024 * 1024 });
  expect(check.images).toBe(10);
  expect(check.warnings).toEqual([`1 files are skipped, they are not readable images: huge.png (too large: the file has ${64 * 1024 * 1024} bytes, an image may have at most ${32 * 1024 * 1024})`]);
});
