/**
 * A backup of a live server's data, taken while it inspects: SQLite's online backup API copies a
 * consistent snapshot of the database page by page (writers are not blocked), then the files the
 * snapshot refers to are copied: the blobs its rows want, the good sets, and the model packages.
 * Those files never change once written (blobs are named by their hash, a good-set image by its
 * inspection, a package by its version), so a file already in the destination with the same size
 * is kept: a nightly backup into the same folder copies only what is new.
 *
 * Restoring is pointing KENSA_DATA_DIR and KENSA_MODELS_DIR at the backup's `data` and `models`.
 */
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BlobStore } from './blob-store.js';
import { listEntriesIfPresent, statIfPresent } from '../util/if-present.js';
import { databasePath, openDatabase } from './database.js';

export interface BackupReport {
  /** Bytes of the database snapshot. */
  databaseBytes: number;
  filesCopied: number;
  /** Already in the destination from an earlier backup. */
  filesKept: number;
  /** Blobs the snapshot wants that retention deleted before they could be copied. */
  blobsMissing: number;
}

/** Skips a file that is already there with the same size; false when `from` does not exist. */
async function copyImmutable(from: string, to: string, report: BackupReport): Promise<boolean> {
  const source = await statIfPresent(from);
  if (!source) return false;
  const existing = await statIfPresent(to);
  if (existing?.size === source.size) {
    report.filesKept++;
    return true;
  }
  await mkdir(path.dirname(to), { recursive: true });
  await copyFile(from, to);
  report.filesCopied++;
  return true;
}

/** Every file under `dir`, as paths relative to it; `skip` prunes entries by name. */
async function filesUnder(dir: string, skip: (name: string) => boolean = () => false, prefix = ''): Promise<string[]> {
  const entries = await listEntriesIfPresent(path.join(dir, prefix));
  const files: string[] = [];
  for (const entry of entries) {
    if (skip(entry.name)) continue;
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(dir, skip, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files;
}

export async function backupServerData(source: { dataDir: string; modelsDir: string }, destination: string): Promise<BackupReport> {
  const report: BackupReport = { databaseBytes: 0, filesCopied: 0, filesKept: 0, blobsMissing: 0 };
  const dataDir = path.join(destination, 'data');
  await mkdir(dataDir, { recursive: true });

  // Written under another name and renamed: an interrupted backup never leaves half a database
  // where the last good one was.
  const snapshot = databasePath(dataDir);
  const partial = `${snapshot}.partial`;
  await rm(partial, { force: true });
  const live = openDatabase(databasePath(source.dataDir));
  try {
    await live.backup(partial);
  } finally {
    live.close();
  }
  await rename(partial, snapshot);
  report.databaseBytes = (await stat(snapshot)).size;

  // The blobs of the snapshot, not of the live database: rows added since are not in the backup.
  const db = openDatabase(snapshot);
  let wanted: string[];
  try {
    wanted = db.prepare('SELECT sha256 FROM blobs').pluck().all() as string[];
  } finally {
    db.close();
  }
  const from = new BlobStore(source.dataDir);
  const to = new BlobStore(dataDir);
  for (const sha256 of wanted) {
    if (!(await copyImmutable(from.pathOf(sha256), to.pathOf(sha256), report))) report.blobsMissing++;
  }

  for (const file of await filesUnder(path.join(source.dataDir, 'good-sets'), (name) => name.includes('.tmp-'))) {
    await copyImmutable(path.join(source.dataDir, 'good-sets', file), path.join(dataDir, 'good-sets', file), report);
  }
  // Model packages; a training job's staging folder (.job-<id>) is not one yet.
  for (const file of await filesUnder(source.modelsDir, (name) => name.startsWith('.job-'))) {
    await copyImmutable(path.join(source.modelsDir, file), path.join(destination, 'models', file), report);
  }
  return report;
}
