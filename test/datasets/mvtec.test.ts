/** The MVTec-layout loader, the image-folder loader and the seeded split, on real files in a temp dir. */
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageFolder } from '../../src/datasets/folder.js';
import type { DatasetWarning } from '../../src/datasets/item.js';
import { loadMvtec } from '../../src/datasets/mvtec.js';
import { splitTrainValidation } from '../../src/datasets/split.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-datasets-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function grey(width: number, height: number, value = 128, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const image = sharp(new Uint8Array(width * height).fill(value), { raw: { width, height, channels: 1 } }).toColourspace('b-w');
  return format === 'png' ? image.png().toBuffer() : image.jpeg().toBuffer();
}

async function put(root: string, name: string, bytes: Buffer | string) {
  await mkdir(path.dirname(path.join(root, name)), { recursive: true });
  await writeFile(path.join(root, name), bytes);
}

const kinds = (warnings: DatasetWarning[]) => warnings.map((w) => `${w.kind} ${w.name}`);

describe('loadMvtec', () => {
  const root = path.join(tmp, 'mvtec');

  beforeAll(async () => {
    // written in an order unlike the sorted one, with variable sizes, grey and RGB
    await put(root, 'train/good/010.png', await grey(40, 30));
    await put(root, 'train/good/002.jpg', await grey(31, 17, 90, 'jpeg'));
    await put(root, 'train/good/001.png', await grey(20, 20));
    await put(root, 'train/good/notes.txt', 'camera 3, shift B'); // not an image: listed, skipped
    await put(root, 'train/good/.DS_Store', 'hidden: skipped silently');
    await put(root, 'train/bad/x.png', await grey(8, 8)); // train/ holds only good/
    await put(root, 'test/good/000.png', await grey(20, 20));
    await put(root, 'test/crack/001.png', await grey(50, 40));
    await put(root, 'test/crack/000.png', await grey(50, 40));
    await put(root, 'test/scratch/000.jpg', await grey(33, 21, 200, 'jpeg'));
    await put(root, 'test/scratch/001.png', (await grey(16, 16)).subarray(0, 60)); // truncated: listed, skipped
    await put(root, 'ground_truth/crack/000_mask.png', await grey(50, 40, 255));
    // test/crack/001.png has no mask
    await put(root, 'ground_truth/scratch/000_mask.png', await grey(30, 21, 255)); // wrong size
    await put(root, 'ground_truth/scratch/001_mask.png', await grey(16, 16, 255)); // its image is unreadable: not an orphan
    await put(root, 'ground_truth/scratch/007_mask.png', await grey(16, 16, 255)); // orphan
    await put(root, 'ground_truth/scratch/readme.md', 'masks drawn by QA');
  });

  it('loads the layout in sorted order, with labels and masks', async () => {
    const dataset = await loadMvtec(root);
    expect(dataset.root).toBe(path.resolve(root));
    expect(dataset.train.map((i) => i.name)).toEqual(['train/good/001.png', 'train/good/002.jpg', 'train/good/010.png']);
    expect(dataset.train.every((i) => i.label === 'good' && i.maskPath === undefined)).toBe(true);
    expect(dataset.train[1].path).toBe(path.join(path.resolve(root), 'train', 'good', '002.jpg'));
    expect(dataset.test.map((i) => [i.name, i.label])).toEqual([
      ['test/crack/000.png', 'crack'],
      ['test/crack/001.png', 'crack'],
      ['test/good/000.png', 'good'],
      ['test/scratch/000.jpg', 'scratch'],
    ]);
    expect(dataset.test.map((i) => i.maskPath && path.relative(root, i.maskPath))).toEqual([
      path.join('ground_truth', 'crack', '000_mask.png'),
      undefined,
      undefined,
      path.join('ground_truth', 'scratch', '000_mask.png'),
    ]);
    expect(dataset.defectTypes).toEqual(['crack', 'scratch']);
  });

  it('lists every file it could not use, sorted, and nothing hidden', async () => {
    const { warnings } = await loadMvtec(root);
    expect(kinds(warnings)).toEqual([
      'mask-size ground_truth/scratch/000_mask.png',
      // (001_mask.png is fine; its image is the unreadable test/scratch/001.png listed below)
      'orphan-mask ground_truth/scratch/007_mask.png',
      'unexpected-entry ground_truth/scratch/readme.md',
      'missing-mask test/crack/001.png',
      'unreadable test/scratch/001.png',
      'unexpected-entry train/bad',
      'unreadable train/good/notes.txt',
    ]);
    const byName = new Map(warnings.map((w) => [w.name, w.message]));
    expect(byName.get('test/scratch/001.png')).toMatch(/truncated/);
    expect(byName.get('train/good/notes.txt')).toMatch(/unsupported-format.*text/);
    expect(byName.get('ground_truth/scratch/000_mask.png')).toBe('the mask is 30x21, its image 33x21');
    expect(warnings.some((w) => w.name.includes('.DS_Store'))).toBe(false);
  });

  it("check 'none' reads nothing: the bad files become items", async () => {
    const dataset = await loadMvtec(root, { check: 'none' });
    expect(dataset.train.map((i) => i.name)).toContain('train/good/notes.txt');
    expect(dataset.test.map((i) => i.name)).toContain('test/scratch/001.png');
  });

  it("check 'full' also finds empty masks and reports progress", async () => {
    const full = path.join(tmp, 'full');
    await put(full, 'train/good/a.png', await grey(8, 8));
    await put(full, 'test/dent/a.png', await grey(8, 8));
    await put(full, 'test/dent/b.png', await grey(8, 8));
    await put(full, 'ground_truth/dent/a_mask.png', await grey(8, 8, 0));
    await put(full, 'ground_truth/dent/b_mask.png', await grey(8, 8, 255));
    const progress: number[] = [];
    const dataset = await loadMvtec(full, { check: 'full', onProgress: (done, total) => progress.push(done / total) });
    expect(kinds(dataset.warnings)).toEqual(['empty-mask ground_truth/dent/a_mask.png']);
    expect(dataset.test.every((i) => i.maskPath)).toBe(true);
    expect(progress).toHaveLength(5);
    expect(progress.at(-1)).toBe(1);
  });

  // root reads anything, so this one only runs as an ordinary user
  it.skipIf(process.getuid?.() === 0)('a file without read permission is listed, not fatal', async () => {
    const locked = path.join(tmp, 'locked');
    await put(locked, 'train/good/a.png', await grey(8, 8));
    await put(locked, 'train/good/b.png', await grey(8, 8));
    await chmod(path.join(locked, 'train/good/b.png'), 0o000);
    const dataset = await loadMvtec(locked);
    expect(dataset.train.map((i) => i.name)).toEqual(['train/good/a.png']);
    expect(dataset.warnings).toEqual([{ kind: 'unreadable', name: 'train/good/b.png', message: 'skipped: cannot be read: EACCES' }]);
  });

  it('refuses a folder that is not in the layout', async () => {
    await mkdir(path.join(tmp, 'empty'), { recursive: true });
    await expect(loadMvtec(path.join(tmp, 'empty'))).rejects.toThrow(/no train\/good folder/);
  });
});

describe('loadImageFolder', () => {
  it('walks sub-folders, sorts by relative path, lists what it skips', async () => {
    const root = path.join(tmp, 'plain');
    await put(root, 'b.png', await grey(10, 10));
    await put(root, '2024-05-02/line1/x.jpg', await grey(12, 9, 80, 'jpeg'));
    await put(root, '2024-05-01/z.png', await grey(10, 10));
    await put(root, 'a.png', (await grey(10, 10)).subarray(0, 40));
    await put(root, '.thumbs/a.png', await grey(4, 4));
    await symlink(path.join(root, '2024-05-01'), path.join(root, 'loop'));
    const folder = await loadImageFolder(root);
    expect(folder.items.map((i) => i.name)).toEqual(['2024-05-01/z.png', '2024-05-02/line1/x.jpg', 'b.png']);
    expect(folder.items.every((i) => i.label === 'good')).toBe(true);
    expect(kinds(folder.warnings)).toEqual(['unreadable a.png', 'unexpected-entry loop']);
  });
});

describe('splitTrainValidation', () => {
  const items = Array.from({ length: 50 }, (_, i) => ({ name: `img/${String(i).padStart(3, '0')}.png` }));

  it('is reproducible from the seed and independent of input order', () => {
    const a = splitTrainValidation(items, 0.2, 7);
    const b = splitTrainValidation([...items].reverse(), 0.2, 7);
    expect(a).toEqual(b);
    expect(a.validation).toHaveLength(10);
    expect(a.train).toHaveLength(40);
    // a partition, both parts sorted
    expect([...a.train, ...a.validation].map((i) => i.name).sort()).toEqual(items.map((i) => i.name));
    expect(a.train.map((i) => i.name)).toEqual([...a.train.map((i) => i.name)].sort());
    expect(a.validation.map((i) => i.name)).toEqual([...a.validation.map((i) => i.name)].sort());
  });

  it('different seeds give different splits, and the draw is not just the first or last items', () => {
    const a = splitTrainValidation(items, 0.2, 7).validation.map((i) => i.name);
    const c = splitTrainValidation(items, 0.2, 8).validation.map((i) => i.name);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(items.slice(0, 10).map((i) => i.name));
    expect(a).not.toEqual(items.slice(40).map((i) => i.name));
  });

  it('keeps at least one item on each side and rejects bad fractions and duplicates', () => {
    expect(splitTrainValidation(items.slice(0, 3), 0.01, 1).validation).toHaveLength(1);
    // Calibration needs two held-out images: a small set at a small fraction still gives it two.
    expect(splitTrainValidation(items.slice(0, 12), 0.1, 1, 2).validation).toHaveLength(2);
    expect(splitTrainValidation(items.slice(0, 12), 0.1, 1).validation).toHaveLength(1);
    expect(splitTrainValidation(items.slice(0, 3), 0.99, 1).train).toHaveLength(1);
    expect(splitTrainValidation(items.slice(0, 3), 0, 1).validation).toHaveLength(0);
    expect(() => splitTrainValidation(items, 1.5, 1)).toThrow(RangeError);
    expect(() => splitTrainValidation([items[0], items[0]], 0.5, 1)).toThrow(/duplicate/);
  });
});
