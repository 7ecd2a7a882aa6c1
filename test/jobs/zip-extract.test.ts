/** Extracting uploaded zips: folders kept, junk skipped, and every way out of the folder refused. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRequestError } from '../../src/jobs/job-request-error.js';
import { extractZip, type ZipLimits } from '../../src/jobs/zip-extract.js';
import { writeZip, type ZipEntry } from './zip-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-zip-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const LIMITS: ZipLimits = { maxEntries: 10, maxTotalBytes: 1_000_000 };
const bytes = (text: string) => new TextEncoder().encode(text);

async function extract(entries: ZipEntry[] | Buffer, limits = LIMITS): Promise<number> {
  const file = path.join(dir, 'upload.zip');
  await writeFile(file, Array.isArray(entries) ? writeZip(entries) : entries);
  return extractZip(file, path.join(dir, 'out'), '"upload.zip"', limits);
}

async function refusal(entries: ZipEntry[] | Buffer, limits = LIMITS): Promise<JobRequestError> {
  const error = await extract(entries, limits).then(
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
    const zeros = new Uint8Array(LIMITS.maxTotalBytes + 1);
    expect(await refusal([{ name: 'bomb.bmp', data: zeros, deflate: true }])).toMatchObject({ status: 413, code: 'zip-too-large' });
    expect(existsSync(path.join(dir, 'out', 'bomb.bmp'))).toBe(false);
    expect(await refusal([{ name: 'bomb.bmp', data: zeros, deflate: true, declaredSize: 10 }])).toMatchObject({ status: 422, code: 'invalid-zip' });
  });

  it('says when the archive is empty or not a zip', async () => {
    expect(await refusal([])).toMatchObject({ status: 422, code: 'empty-zip' });
    expect(await refusal(Buffer.from('PK\u0003\u0004 but nothing else'))).toMatchObject({ status: 422, code: 'invalid-zip' });
  });
});
