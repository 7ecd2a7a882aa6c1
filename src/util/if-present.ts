/**
 * File system reads (and a removal and a move) where a missing file or folder is an answer, not an error
 * (retention may have deleted it, or nothing was written yet). Every other error is thrown.
 */
import type { Dirent, Stats } from 'node:fs';
import { open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';

async function orIfMissing<T>(read: Promise<T>, missing: T): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return missing;
    throw error;
  }
}

/** The file's bytes, or null when it does not exist. */
export const readFileIfPresent = (file: string): Promise<Buffer | null> => orIfMissing(readFile(file), null);

/** The file, open for reading, or null when it does not exist. */
export const openIfPresent = (file: string): Promise<FileHandle | null> => orIfMissing(open(file), null);

/** The entry's stats, or null when it does not exist. */
export const statIfPresent = (file: string): Promise<Stats | null> => orIfMissing(stat(file), null);

/** The folder's entry names; none when the folder does not exist. */
export const listDirIfPresent = (dir: string): Promise<string[]> => orIfMissing(readdir(dir), []);

/** Removes the file; false when it did not exist. */
/** Moves `from` to `to`: true, or false when `from` does not exist. */
export const renameIfPresent = (from: string, to: string): Promise<boolean> => orIfMissing(rename(from, to).then(() => true), false);

export const removeFileIfPresent = (file: string): Promise<boolean> => orIfMissing(unlink(file).then(() => true), false);

/** The folder's entries with their types; none when the folder does not exist. */
export const listEntriesIfPresent = (dir: string): Promise<Dirent[]> => orIfMissing(readdir(dir, { withFileTypes: true }), []);
