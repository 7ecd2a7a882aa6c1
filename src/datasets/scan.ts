/**
 * Listing and checking dataset files. Hidden entries (names starting with '.', such as .DS_Store
 * or .git) are not dataset members and are skipped without a warning; everything else is either
 * used or listed in a warning. Order is by relative path, compared by UTF-16 code units (not
 * locale), so it is the same on every machine.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { decodeToSize, probeImage, type ImageInfo } from '../image/decode.js';
import { isImageError } from '../image/errors.js';
import type { DatasetWarning, FileCheck } from './item.js';

export interface Entries {
  /** Relative paths ('/' separators) of regular files, sorted. */
  files: string[];
  /** Relative paths of folders, sorted (only from a non-recursive listing). */
  folders: string[];
  warnings: DatasetWarning[];
}

/** Relative path with '/' separators. */
export function toName(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Files (and folders) in `dir`, relative to `root`. With `recursive`, sub-folders are walked and
 * only files are returned; symbolic links to files are followed, links to folders are listed as
 * unexpected entries (no cycles).
 */
export async function listEntries(root: string, dir: string, recursive: boolean): Promise<Entries> {
  const result: Entries = { files: [], folders: [], warnings: [] };
  const walk = async (current: string) => {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(current, entry.name);
      let kind: 'file' | 'folder' | 'other' = entry.isFile() ? 'file' : entry.isDirectory() ? 'folder' : 'other';
      if (entry.isSymbolicLink()) {
        const target = await stat(full).catch(() => null);
        kind = target?.isFile() ? 'file' : 'other';
      }
      if (kind === 'file') result.files.push(toName(root, full));
      else if (kind === 'folder' && recursive) await walk(full);
      else if (kind === 'folder') result.folders.push(toName(root, full));
      else {
        result.warnings.push({
          kind: 'unexpected-entry',
          name: toName(root, full),
          message: entry.isSymbolicLink() ? 'a link to a folder or to nothing: not followed' : 'not a regular file or folder',
        });
      }
    }
  };
  await walk(dir);
  result.files.sort(byName);
  result.folders.sort(byName);
  return result;
}

export interface CheckedFile {
  name: string;
  /** Header facts when the file was read ('header' or 'full' check). */
  info?: ImageInfo;
  /** Why the file cannot be used; absent when it can. */
  problem?: string;
}

/** Checks each file (relative to `root`) as `check` says, a few at a time, keeping the order. */
export async function checkFiles(
  root: string,
  names: readonly string[],
  check: FileCheck,
  maxPixels: number | undefined,
  onProgress?: (done: number, total: number) => void,
): Promise<CheckedFile[]> {
  const results: CheckedFile[] = new Array(names.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < names.length) {
      const index = next++;
      results[index] = await checkFile(root, names[index], check, maxPixels);
      onProgress?.(++done, names.length);
    }
  };
  // I/O-bound for 'header' and sharp-bound for 'full': a few in flight keep disk and libuv busy
  await Promise.all(Array.from({ length: Math.min(4, names.length) }, worker));
  return results;
}

async function checkFile(root: string, name: string, check: FileCheck, maxPixels: number | undefined): Promise<CheckedFile> {
  if (check === 'none') return { name };
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(root, name));
  } catch (error) {
    return { name, problem: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  try {
    const info = await probeImage(bytes, { maxPixels });
    if (check === 'full') await decodeToSize(bytes, { width: 32, height: 32 }, { maxPixels });
    return { name, info };
  } catch (error) {
    if (isImageError(error)) return { name, problem: `${error.code}: ${error.message}` };
    throw error;
  }
}
