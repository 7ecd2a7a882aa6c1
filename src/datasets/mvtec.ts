/**
 * The MVTec-AD folder layout, exactly:
 *
 *   <root>/train/good/*                      defect-free training images
 *   <root>/test/<type>/*                     test images; <type> is 'good' or a defect type
 *   <root>/ground_truth/<type>/<stem>_mask.png   mask of test/<type>/<stem>.<ext> (defect types only)
 *
 * Image folders are flat (a sub-folder inside them is listed as unexpected, not walked). Image
 * files are recognized by their bytes, not their extension; masks by their name. A defect image
 * without a mask is kept (image-level metrics can use it) and listed; so are masks without an
 * image, masks whose size differs from their image's and, with check 'full', masks with no defect
 * pixel. Hidden entries are skipped (see scan.ts). Only train/good is required.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { compareNames, GOOD, type DatasetItem, type DatasetWarning, type LoadOptions } from './item.js';
import { loadMask } from './mask.js';
import { checkFiles, listEntries, type CheckedFile } from './scan.js';

export interface MvtecDataset {
  root: string;
  /** train/good, sorted by name. */
  train: DatasetItem[];
  /** test/<type>/*, sorted by name (so grouped by type, types in sorted order). */
  test: DatasetItem[];
  /** Defect types (test/ folders other than good), sorted. */
  defectTypes: string[];
  /** Everything that was skipped or is incomplete, sorted by name. */
  warnings: DatasetWarning[];
}

const MASK_SUFFIX = '_mask';

export async function loadMvtec(root: string, options: LoadOptions = {}): Promise<MvtecDataset> {
  const absolute = path.resolve(root);
  const trainGood = path.join(absolute, 'train', GOOD);
  try {
    await access(trainGood);
  } catch {
    throw new Error(`${absolute} is not an MVTec-layout dataset: it has no train/good folder`);
  }
  const check = options.check ?? 'header';
  const warnings: DatasetWarning[] = [];

  // layout: train/good only; test/<type>/ folders; ground_truth/<type>/ folders
  const trainEntries = await listEntries(absolute, path.join(absolute, 'train'), false);
  warnings.push(...trainEntries.warnings, ...unexpected(trainEntries.files, 'a file directly in train/; images belong in train/good/'));
  warnings.push(...unexpected(trainEntries.folders.filter((f) => f !== `train/${GOOD}`), 'train/ must only hold good/ (defect-free images)'));

  const imageFolders = [`train/${GOOD}`];
  const testTypes: string[] = [];
  if (await exists(path.join(absolute, 'test'))) {
    const testEntries = await listEntries(absolute, path.join(absolute, 'test'), false);
    warnings.push(...testEntries.warnings, ...unexpected(testEntries.files, 'a file directly in test/; images belong in test/<type>/'));
    for (const folder of testEntries.folders) {
      testTypes.push(folder.slice('test/'.length));
      imageFolders.push(folder);
    }
  }

  // image files
  const candidates: { name: string; label: string; split: 'train' | 'test' }[] = [];
  for (const folder of imageFolders) {
    const entries = await listEntries(absolute, path.join(absolute, folder), false);
    warnings.push(...entries.warnings, ...unexpected(entries.folders, `a folder inside ${folder}/ (image folders are flat)`));
    const label = folder === `train/${GOOD}` ? GOOD : folder.slice('test/'.length);
    for (const name of entries.files) candidates.push({ name, label, split: folder.startsWith('train/') ? 'train' : 'test' });
  }

  // masks: ground_truth/<type>/<stem>_mask.<ext>
  const maskCandidates = new Map<string, string>(); // "test/<type>/<stem>" -> mask name
  if (await exists(path.join(absolute, 'ground_truth'))) {
    const gt = await listEntries(absolute, path.join(absolute, 'ground_truth'), false);
    warnings.push(...gt.warnings, ...unexpected(gt.files, 'a file directly in ground_truth/; masks belong in ground_truth/<type>/'));
    for (const folder of gt.folders) {
      const type = folder.slice('ground_truth/'.length);
      const entries = await listEntries(absolute, path.join(absolute, folder), false);
      warnings.push(...entries.warnings, ...unexpected(entries.folders, `a folder inside ${folder}/ (mask folders are flat)`));
      for (const name of entries.files) {
        const stem = stemOf(path.posix.basename(name));
        if (type === GOOD) warnings.push({ kind: 'unexpected-entry', name, message: 'defect-free images have no masks; ignored' });
        else if (!stem.endsWith(MASK_SUFFIX)) warnings.push({ kind: 'unexpected-entry', name, message: `not named <image>${MASK_SUFFIX}.<ext>; ignored` });
        else maskCandidates.set(`test/${type}/${stem.slice(0, -MASK_SUFFIX.length)}`, name);
      }
    }
  }

  // check images and masks in one pass (one progress count)
  const maskNames = [...maskCandidates.values()].sort();
  const checked = await checkFiles(absolute, [...candidates.map((c) => c.name), ...maskNames], check, { maxPixels: options.maxPixels }, options.onProgress);
  const byName = new Map<string, CheckedFile>(checked.map((c) => [c.name, c]));
  for (const c of checked) {
    if (c.problem) warnings.push({ kind: 'unreadable', name: c.name, message: `skipped: ${c.problem}` });
  }

  const train: DatasetItem[] = [];
  const test: DatasetItem[] = [];
  const usedMasks = new Set<string>();
  for (const candidate of candidates) {
    const image = byName.get(candidate.name);
    const maskName =
      candidate.split === 'test' ? maskCandidates.get(`${path.posix.dirname(candidate.name)}/${stemOf(path.posix.basename(candidate.name))}`) : undefined;
    if (maskName) usedMasks.add(maskName); // even when the image itself is unreadable: not an orphan
    if (image?.problem) continue;
    const item: DatasetItem = { path: path.join(absolute, candidate.name), name: candidate.name, label: candidate.label };
    if (candidate.split === 'train') {
      train.push(item);
      continue;
    }
    test.push(item);
    if (candidate.label === GOOD) continue;
    const mask = maskName ? byName.get(maskName) : undefined;
    if (!maskName) {
      warnings.push({ kind: 'missing-mask', name: candidate.name, message: `no ground_truth/${candidate.label}/<name>${MASK_SUFFIX}.png; kept for image-level metrics only` });
      continue;
    }
    if (mask?.problem) continue; // listed as unreadable above
    item.maskPath = path.join(absolute, maskName);
    if (mask?.info && image?.info && (mask.info.width !== image.info.width || mask.info.height !== image.info.height)) {
      warnings.push({
        kind: 'mask-size',
        name: maskName,
        message: `the mask is ${mask.info.width}x${mask.info.height}, its image ${image.info.width}x${image.info.height}`,
      });
    }
    if (check === 'full') {
      const pixels = await loadMask(item.maskPath, 'original', { maxPixels: options.maxPixels });
      if (!pixels.includes(1)) warnings.push({ kind: 'empty-mask', name: maskName, message: 'the mask marks no defect pixel' });
    }
  }
  for (const maskName of maskNames) {
    if (!usedMasks.has(maskName)) warnings.push({ kind: 'orphan-mask', name: maskName, message: 'no test image has this name; ignored' });
  }

  return {
    root: absolute,
    train: train.sort(compareNames),
    test: test.sort(compareNames),
    defectTypes: testTypes.filter((t) => t !== GOOD).sort(),
    warnings: warnings.sort((a, b) => compareNames(a, b) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)),
  };
}

function unexpected(names: readonly string[], message: string): DatasetWarning[] {
  return names.map((name) => ({ kind: 'unexpected-entry' as const, name, message }));
}

/** File name without its last extension ('a.b.png' -> 'a.b'). */
function stemOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
