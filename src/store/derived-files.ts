/**
 * Files derived from blobs (rendered pictures), kept in BlobStore's derived directory of their
 * blob: a cache. A file is made the first time someone asks (concurrent first requests share the
 * making) and read back as bytes after that. Retention may delete any of them to keep within its
 * byte budget, even between a lookup and an answer: answers hold bytes, never a path, and the next
 * request simply makes the file again.
 */
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listDirIfPresent, readFileIfPresent } from '../util/if-present.js';
import { SHA256_PATTERN, type BlobStore } from './blob-store.js';

export interface DerivedFile {
  /** The blob it was derived from. */
  blob: string;
  path: string;
  bytes: number;
  modifiedMs: number;
}

export interface TrimReport {
  removed: number;
  freedBytes: number;
  /** Bytes of the derived files still on disk. */
  bytesLeft: number;
}

export class DerivedFiles {
  private readonly making = new Map<string, Promise<Buffer>>();
  private tempCounter = 0;

  constructor(private readonly blobs: BlobStore) {}

  /** File `name` derived from blob `sha256`: read from disk, or made by `make` and kept. */
  async get(sha256: string, name: string, make: () => Promise<Buffer>): Promise<Buffer> {
    if (path.basename(name) !== name) throw new Error(`not a plain file name: ${JSON.stringify(name)}`);
    const file = path.join(this.blobs.derivedDir(sha256), name);
    const kept = await readFileIfPresent(file);
    if (kept) return kept;
    let made = this.making.get(file);
    if (!made) {
      made = this.make(file, make).finally(() => this.making.delete(file));
      this.making.set(file, made);
    }
    return made;
  }

  private async make(file: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const bytes = await make();
    const temp = `${file}.tmp-${process.pid}-${this.tempCounter++}`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(temp, bytes);
      await rename(temp, file);
    } catch (error) {
      // Retention deleted the directory (its blob went) or the half-written file meanwhile: the
      // picture is not kept, but it is still right to serve.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return bytes;
  }
}

/** Every derived file on disk, oldest first. */
export async function listDerivedFiles(blobs: BlobStore): Promise<DerivedFile[]> {
  const files: DerivedFile[] = [];
  for (const sha256 of await listDirIfPresent(blobs.derivedRoot)) {
    if (!SHA256_PATTERN.test(sha256)) continue;
    const dir = blobs.derivedDir(sha256);
    for (const name of await listDirIfPresent(dir)) {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => null);
      if (info?.isFile()) files.push({ blob: sha256, path: file, bytes: info.size, modifiedMs: info.mtimeMs });
    }
  }
  return files.sort((a, b) => a.modifiedMs - b.modifiedMs);
}

/**
 * Delete derived files, oldest first, until the ones left take at most `budget` bytes; files of a
 * blob that `isKept` names (under a legal hold) stay.
 */
export async function trimDerivedFiles(blobs: BlobStore, budget: number, isKept: (sha256: string) => boolean): Promise<TrimReport> {
  const files = await listDerivedFiles(blobs);
  const report: TrimReport = { removed: 0, freedBytes: 0, bytesLeft: files.reduce((sum, file) => sum + file.bytes, 0) };
  for (const file of files) {
    if (report.bytesLeft <= budget) break;
    if (isKept(file.blob)) continue;
    await rm(file.path, { force: true });
    report.removed++;
    report.freedBytes += file.bytes;
    report.bytesLeft -= file.bytes;
  }
  return report;
}
