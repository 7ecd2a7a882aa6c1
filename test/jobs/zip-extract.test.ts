/** Extracting uploaded zips: folders kept, junk skipped, and every way out of the folder refused. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRequestError } from '../../src/jobs/job-request-error.js';
import { UploadBudget, type UploadLimits } from '../../src/jobs/upload-budget.js';
import { extractZip } from '../../src/jobs/zip-extract.js';
import { writeZip, type ZipEntry } from './zip-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-zip-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const LIMITS: UploadLimits = { maxFiles: 10, maxBytes: 1_000_000, maxFileBytes: 600_000 };
const bytes = (text: string) => new TextEncoder().encode(text);

async function extract(entries: ZipEntry[] | Buffer, budget = new UploadBudget(LIMITS)): Promise<number> {
  const file = path.join(dir, 'upload.zip');
  await writeFile(file, Array.isArray(entries) ? writeZip(entries) : entries);
  return extractZip(file, path.join(dir, 'out'), '"upload.zip"', budget);
}

async function refusal(entries: ZipEntry[] | Buffer, budget = new UploadBudget(LIMITS)): Promise<JobRequestError> {
  const error = await extract(entries, budget).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JobRequestError);
  return error as JobRequestError;
}

describe('extractZip', () => {
  it('extracts stored and deflated files with their folders, skipping folders, hidden files and resource forks', async () => {
    const count = await extract([
      { name: 'lot-1/' },
      { name: 'lot-1/a.png', data: bytes('a') },
      { name: 'lot-2/b.png', data: bytes('b'.repeat(5000)), deflate: true },
      { name: '.DS_Store', data: bytes('x') },
      { name: '__MACOSX/lot-1/._a.png', data: bytes('x') },
    ]);
    expect(count).toBe(2);
    expect(await readFile(path.join(dir, 'out', 'lot-1', 'a.png'), 'utf8')).toBe('a');
    expect((await readFile(path.join(dir, 'out', 'lot-2', 'b.png'), 'utf8')).length).toBe(5000);
    expect(existsSync(path.join(dir, 'out', '.DS_Store'))).toBe(false);
  });

  it('refuses entries that would land outside the folder, before writing anything', async () => {
    for (const name of ['../a.png', 'x/../../a.png', '/etc/a.png', 'C:/a.png', '..\\a.png']) {
      const error = await refusal([{ name: 'first.png', data: bytes('1') }, { name, data: bytes('2') }]);
      expect(error).toMatchObject({ status: 422, code: 'unsafe-zip' });
      expect(existsSync(path.join(dir, 'out', 'first.png'))).toBe(false);
    }
    expect(existsSync(path.join(dir, 'a.png'))).toBe(false);
  });

  it('refuses symbolic links', async () => {
    const error = await refusal([{ name: 'a.png', data: bytes('/etc/shadow'), mode: 0o120777 }]);
    expect(error.message).toMatch(/"a\.png" is a symbolic link/);
  });

  it('refuses too many entries and too many bytes, declared or inflated', async () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `${i}.png`, data: bytes('x') }));
    expect(await refusal(many)).toMatchObject({ status: 413, code: 'zip-too-large' });
    const zeros = new Uint8Array(LIMITS.maxBytes + 1);
    expect(await refusal([{ name: 'bomb.bmp', data: zeros, deflate: true }])).toMatchObject({ status: 413, code: 'zip-too-large' });
    expect(existsSync(path.join(dir, 'out', 'bomb.bmp'))).toBe(false);
    expect(await refusal([{ name: 'bomb.bmp', data: zeros, deflate: true, declaredSize: 10 }])).toMatchObject({ status: 422, code: 'invalid-zip' });
  });

  it('draws every archive of an upload from one budget, and caps each entry at an image\'s size', async () => {
    const budget = new UploadBudget(LIMITS);
    const half = new Uint8Array(450_000);
    expect(await extract([{ name: 'a.bmp', data: half, deflate: true }], budget)).toBe(1);
    expect(await extract([{ name: 'b.bmp', data: half, deflate: true }], budget)).toBe(1);
    expect(budget.bytesLeft).toBe(100_000);
    // Alone it would fit the limits; after the first two it does not.
    const third = await refusal([{ name: 'c.bmp', data: half, deflate: true }], budget);
    expect(third).toMatchObject({ status: 413, code: 'zip-too-large' });
    expect(third.message).toMatch(/more than 100000 bytes once extracted/);
    const files = await refusal(Array.from({ length: 9 }, (_, i) => ({ name: `${i}.png`, data: bytes('x') })), budget);
    expect(files.message).toMatch(/9 files, more than the 8 the upload has left/);

    const big = await refusal([{ name: 'huge.bmp', data: new Uint8Array(600_001), deflate: true }]);
    expect(big.message).toMatch(/"huge\.bmp" of 600001 bytes, more than the 600000 an image may have/);
  });

  it('says when the archive is empty or not a zip', async () => {
    expect(await refusal([])).toMatchObject({ status: 422, code: 'empty-zip' });
    expect(await refusal(Buffer.from('PK\u0003\u0004 but nothing else'))).toMatchObject({ status: 422, code: 'invalid-zip' });
  });
});
