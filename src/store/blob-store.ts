/**
 * Content-addressed files under the data directory: <dir>/blobs/<2 hex>/<sha256>, plus files
 * derived from a blob (rendered heatmaps) under <dir>/derived/<sha256>/, deleted with it (and
 * sooner by retention's byte budget, see derived-files.ts). Names come from hashes this process
 * computed, never from a client: `pathOf` accepts nothing else.
 *
 * The SQLite `blobs` table says which files are wanted; this class only writes and deletes them.
 * Two rules keep a row from ever pointing at a missing file while inspections are written and
 * retention deletes at the same time:
 * - a writer pins a hash from before it writes the file until its row is committed, and a pinned
 *   file is never deleted;
 * - writing and deleting the same hash are serialized, and a delete re-checks the pin and the
 *   database just before it unlinks.
 * Files are written to a temporary name, flushed and renamed, so neither a crash nor a power cut
 * leaves half a file under a hash's name, and a blob is on disk before its row is committed.
 */
import { createHash, webcrypto } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { makeDirectoryDurably, writeFileDurably } from '../util/durable-file.js';
import type { Readable } from 'node:stream';
import { listDirIfPresent, openIfPresent, readFileIfPresent, statIfPresent } from '../util/if-present.js';

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
const TEMP_MARK = '.tmp-';
/** Hashing this much on the event loop takes tens of microseconds. */
const INLINE_HASH_BYTES = 64 * 1024;

/** A stored blob, pinned until `release` (call it once its row is committed, or on failure). */
export interface BlobLease {
  sha256: string;
  bytes: number;
  release(): void;
}

export class BlobStore {
  private readonly pins = new Map<string, number>();
  /**
   * Puts of the same bytes (a camera resending a frame, blank frames, their identical maps) do
   * not queue one by one on the hash's lock only to find the file there: a put joins the check or
   * write already in flight for its hash (`writes`), and skips both while a lease whose put saw
   * the file lives (`onDisk`, by hash: that lease's pin keeps the file on disk).
   */
  private readonly writes = new Map<string, Promise<void>>();
  private readonly onDisk = new Map<string, number>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private tempCounter = 0;

  constructor(readonly dir: string) {}

  /**
   * SHA-256 as hex: images on the libuv pool (WebCrypto) rather than on the event loop; small
   * blobs (anomaly maps) right here, in less time than a trip to a pool busy decoding would take.
   */
  static async sha256(bytes: Uint8Array): Promise<string> {
    if (bytes.length <= INLINE_HASH_BYTES) return createHash('sha256').update(bytes).digest('hex');
    return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
  }

  pathOf(sha256: string): string {
    checkHash(sha256);
    return path.join(this.dir, 'blobs', sha256.slice(0, 2), sha256);
  }

  /** A directory for files computed from the blob; removed together with the blob. */
  derivedDir(sha256: string): string {
    checkHash(sha256);
    return path.join(this.derivedRoot, sha256);
  }

  /** The directory of every blob's derived directory (see src/store/derived-files.ts). */
  get derivedRoot(): string {
    return path.join(this.dir, 'derived');
  }

  isPinned(sha256: string): boolean {
    return this.pins.has(sha256);
  }

  async put(bytes: Uint8Array): Promise<BlobLease> {
    const sha256 = await BlobStore.sha256(bytes);
    this.pin(sha256);
    try {
      if (!this.onDisk.has(sha256)) await this.ensureWritten(sha256, bytes);
    } catch (error) {
      this.unpin(sha256);
      throw error;
    }
    count(this.onDisk, sha256, 1);
    let released = false;
    return {
      sha256,
      bytes: bytes.length,
      release: () => {
        if (released) return;
        released = true;
        count(this.onDisk, sha256, -1);
        this.unpin(sha256);
      },
    };
  }

  /** Resolves once the file is on disk; the caller has pinned the hash, so it stays there. */
  private ensureWritten(sha256: string, bytes: Uint8Array): Promise<void> {
    let write = this.writes.get(sha256);
    if (!write) {
      write = this.locked(sha256, async () => {
        const file = this.pathOf(sha256);
        if ((await statIfPresent(file)) !== null) return;
        await makeDirectoryDurably(path.dirname(file));
        await writeFileDurably(file, `${file}${TEMP_MARK}${process.pid}-${this.tempCounter++}`, bytes);
      }).finally(() => this.writes.delete(sha256));
      this.writes.set(sha256, write);
    }
    return write;
  }

  /** The blob's bytes, or null when it is not on disk (removed by retention). */
  read(sha256: string): Promise<Buffer | null> {
    return readFileIfPresent(this.pathOf(sha256));
  }

  /** The blob's bytes as a stream (a file open from now on), or null when it is not on disk (removed by retention). */
  async stream(sha256: string): Promise<Readable | null> {
    const file = await openIfPresent(this.pathOf(sha256));
    return file?.createReadStream() ?? null;
  }

  /**
   * Delete a blob and its derived files unless it is pinned or `stillWanted()` (asked at the last
   * moment, under the hash's lock) says the database points to it again. True when deleted.
   */
  remove(sha256: string, stillWanted: () => boolean): Promise<boolean> {
    return this.locked(sha256, async () => {
      if (this.isPinned(sha256) || stillWanted()) return false;
      await rm(this.pathOf(sha256), { force: true });
      await rm(this.derivedDir(sha256), { recursive: true, force: true });
      return true;
    });
  }

  /**
   * Delete what no row wants: blob files and derived directories whose hash `isWanted` rejects
   * (left by a crash between writing a file and committing its row, or by an interrupted
   * retention pass), and temporary files older than `tempGraceMs`. Returns the number deleted.
   */
  async sweepOrphans(isWanted: (sha256: string) => boolean, tempGraceMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const shard of await listDirIfPresent(path.join(this.dir, 'blobs'))) {
      const shardDir = path.join(this.dir, 'blobs', shard);
      for (const name of await listDirIfPresent(shardDir)) {
        if (name.includes(TEMP_MARK)) {
          const file = path.join(shardDir, name);
          const info = await stat(file).catch(() => null);
          if (info && now - info.mtimeMs > tempGraceMs) {
            await rm(file, { force: true });
            removed++;
          }
        } else if (SHA256_PATTERN.test(name) && !isWanted(name)) {
          if (await this.remove(name, () => isWanted(name))) removed++;
        }
      }
    }
    for (const name of await listDirIfPresent(path.join(this.dir, 'derived'))) {
      if (!SHA256_PATTERN.test(name) || isWanted(name)) continue;
      const deleted = await this.locked(name, async () => {
        if (this.isPinned(name) || isWanted(name)) return false;
        await rm(this.derivedDir(name), { recursive: true, force: true });
        return true;
      });
      if (deleted) removed++;
    }
    return removed;
  }

  private pin(sha256: string): void {
    count(this.pins, sha256, 1);
  }

  private unpin(sha256: string): void {
    count(this.pins, sha256, -1);
  }

  /** Runs `task` after every earlier task on the same hash has finished. */
  private locked<T>(sha256: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(sha256) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(sha256, tail);
    void tail.then(() => {
      if (this.locks.get(sha256) === tail) this.locks.delete(sha256);
    });
    return run;
  }
}

/** Adds `delta` to a count by hash; a count that reaches 0 is removed. */
function count(counts: Map<string, number>, sha256: string, delta: number): void {
  const next = (counts.get(sha256) ?? 0) + delta;
  if (next > 0) counts.set(sha256, next);
  else counts.delete(sha256);
}

function checkHash(sha256: string): void {
  if (!SHA256_PATTERN.test(sha256)) throw new Error(`not a sha256 hex digest: ${JSON.stringify(sha256)}`);
}
