/**
 * The free-disk floor: a line's inspections write their images and maps to the same disk as
 * training uploads and jobs, so training is refused while the data folder is short of space and
 * the space left stays with the inspections.
 */
import { statfs } from 'node:fs/promises';
import { problems } from './problem.js';

/** Bytes an unprivileged process can still write on the file system that holds `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

/** Throws a 507 problem when the file system of `dir` has less than `floor` bytes free. */
export async function assertDiskSpace(dir: string, floor: number): Promise<void> {
  if (floor <= 0) return;
  const free = await freeBytes(dir);
  if (free < floor) throw problems.insufficientStorage(free, floor);
}
