/**
 * A plain folder of defect-free images for training, e.g. what a line camera saved over a shift.
 * Walked recursively (cameras and exports often nest by date, line or lot); every item is 'good';
 * names are relative paths, sorted; hidden entries are skipped; unreadable files are listed.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { GOOD, type DatasetItem, type DatasetWarning, type LoadOptions } from './item.js';
import { checkFiles, listEntries } from './scan.js';

export interface ImageFolder {
  root: string;
  items: DatasetItem[];
  warnings: DatasetWarning[];
}

export async function loadImageFolder(root: string, options: LoadOptions = {}): Promise<ImageFolder> {
  const absolute = path.resolve(root);
  try {
    await access(absolute);
  } catch {
    throw new Error(`image folder ${absolute} does not exist or cannot be read`);
  }
  const entries = await listEntries(absolute, absolute, true);
  const checked = await checkFiles(absolute, entries.files, options.check ?? 'header', { maxPixels: options.maxPixels }, options.onProgress);
  const warnings: DatasetWarning[] = [...entries.warnings];
  const items: DatasetItem[] = [];
  for (const file of checked) {
    if (file.problem) warnings.push({ kind: 'unreadable', name: file.name, message: `skipped: ${file.problem}` });
    else items.push({ path: path.join(absolute, file.name), name: file.name, label: GOOD });
  }
  warnings.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { root: absolute, items, warnings };
}
