/**
 * What a dataset loader returns: images with their label and, for defects, their ground-truth
 * mask; and every file it could not use, listed (a dataset never loses a file silently).
 */

/** The label of defect-free images; any other label names a defect type. */
export const GOOD = 'good';

export interface DatasetItem {
  /** Absolute path of the image file. */
  path: string;
  /** Path relative to the dataset root, with '/' separators: the item's stable identity and sort key. */
  name: string;
  /** 'good' or the defect type (the folder name under test/). */
  label: string;
  /** Absolute path of the ground-truth mask (defect images of an MVTec-layout dataset). */
  maskPath?: string;
}

export const WARNING_KINDS = [
  /** Not an image kensa can read (not an image, unsupported, truncated, corrupt, too large, no access). */
  'unreadable',
  /** A defect image without a ground-truth mask (it still counts for image-level metrics). */
  'missing-mask',
  /** A mask whose image does not exist. */
  'orphan-mask',
  /** A mask whose size differs from its image's. */
  'mask-size',
  /** A mask without a single defect pixel (found only with check: 'full'). */
  'empty-mask',
  /** A file or folder where the layout has none (e.g. train/bad/, a file directly in test/). */
  'unexpected-entry',
] as const;
export type DatasetWarningKind = (typeof WARNING_KINDS)[number];

export interface DatasetWarning {
  kind: DatasetWarningKind;
  /** Path relative to the dataset root, '/' separators. */
  name: string;
  message: string;
}

/** How much of each file is read while loading. */
export type FileCheck =
  /** No reading: every listed file is an item (fast; bad files fail later, at decode time). */
  | 'none'
  /** Format and header (dimensions, pixel limit) from the first bytes, never the whole file (a short file's container structure too); the default. */
  | 'header'
  /** A full decode: also finds damaged or cut pixel data that the header does not show. */
  | 'full';

export interface LoadOptions {
  check?: FileCheck;
  /** Pixel limit while checking (see src/image/decode.ts); default 40 megapixels. */
  maxPixels?: number;
  /** Called as files are checked (done of total), for progress bars. */
  onProgress?: (done: number, total: number) => void;
}

export function compareNames(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
