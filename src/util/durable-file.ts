/**
 * Files that survive a power cut once the call returns. A rename is atomic but not durable: after
 * a power cut the new name may be on disk while the data it points to is not (an empty file under
 * a hash's name), or the rename itself may be lost. So the data is flushed before the rename, and
 * the directory, which holds the name, after it. A removal is in the directory too: it is flushed.
 */
import { copyFile, mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { removeFileIfPresent } from './if-present.js';

/** fsync a directory: the names created, renamed or removed in it reach the disk. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** mkdir -p whose new directories are themselves on disk (each one's name is in its parent). */
export async function makeDirectoryDurably(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  // Every directory from the first one created down to `dir` is new: sync each one's parent.
  for (let created = path.resolve(dir); ; created = path.dirname(created)) {
    await syncDirectory(path.dirname(created));
    if (created === path.resolve(first)) return;
  }
}

/** Write `bytes` to `temp`, flush it, rename it to `file` and flush the directory. */
export async function writeFileDurably(file: string, temp: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  await syncDirectory(path.dirname(file));
}

/** Copy `source` to `temp`, flush the copy, rename it to `file` and flush the directory. */
export async function copyFileDurably(source: string, file: string, temp: string): Promise<void> {
  await copyFile(source, temp);
  const handle = await open(temp, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  await syncDirectory(path.dirname(file));
}

/** Remove `file` and flush its directory, so that it does not come back after a power cut; a file already gone is fine. */
export async function removeFileDurably(file: string): Promise<void> {
  if (await removeFileIfPresent(file)) await syncDirectory(path.dirname(file));
}
