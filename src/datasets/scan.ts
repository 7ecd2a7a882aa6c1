/**
 * Listing and checking dataset files. Hidden entries (names starting with '.', such as .DS_Store
 * or .git) are not dataset members and are skipped without a warning; everything else is either
 * used or listed in a warning. Order is by relative path, compared by UTF-16 code units (not
 * locale), so it is the same on every machine.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { decodeToSize, probeImage, probeImageHeader, type ImageInfo } from '../image/decode.js';
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

export interface FileLimits {
  /** Pixel limit (see src/image/decode.ts); default 40 megapixels. */
  maxPixels?: number;
  /** Largest file accepted as an image; default: any size. */
  maxBytes?: number;
}

/**
 * Bytes read of each file for a header check: signatures and most headers lie in them, and a
 * file this short is read whole and gets every container check.
 */
const HEAD_BYTES = 64 * 1024;

/** Checks each file (relative to `root`) as `check` says, a few at a time, keeping the order. */
export async function checkFiles(
  root: string,
  names: readonly string[],
  check: FileCheck,
  limits: FileLimits,
  onProgress?: (done: number, total: number) => void,
): Promise<CheckedFile[]> {
  const results: CheckedFile[] = new Array(names.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < names.length) {
      const index = next++;
      results[index] = await checkFile(root, names[index], check, limits);
      onProgress?.(++done, names.length);
    }
  };
  // I/O-bound for 'header' and sharp-bound for 'full': a few in flight keep disk and libuv busy
  await Promise.all(Array.from({ length: Math.min(4, names.length) }, worker));
  return results;
}

async function checkFile(root: string, name: string, check: FileCheck, limits: FileLimits): Promise<CheckedFile> {
  if (check === 'none') return { name };
  const file = path.join(root, name);
  const options = { maxPixels: limits.maxPixels };
  try {
    const head = await readHead(file);
    if (limits.maxBytes !== undefined && head.size > limits.maxBytes) {
      return { name, problem: `too large: the file has ${head.size} bytes, an image may have at most ${limits.maxBytes}` };
    }
    if (check === 'header') {
      // A long file's header is read, never the file: a check of thousands of files stays in kilobytes each.
      const info = head.bytes.length === head.size ? await probeImage(head.bytes, options) : await probeImageHeader(head.bytes, file, options);
      return { name, info };
    }
    // A full decode needs every byte; maxBytes bounds them.
    const bytes = await readFile(file);
    const info = await probeImage(bytes, options);
    await decodeToSize(bytes, { width: 32, height: 32 }, options);
    return { name, info };
  } catch (error) {
    if (isImageError(error)) return { name, problem: `${error.code}: ${error.message}` };
    const { code } = error as NodeJS.ErrnoException;
    if (code) return { name, problem: `cannot be read: ${code}` };
    throw error;
  }
}

/** The first HEAD_BYTES of a file (all of a shorter one) and its size. */
async function readHead(file: string): Promise<{ bytes: Buffer; size: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(Math.min(size, HEAD_BYTES)), position: 0 });
    return { bytes: buffer.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}
