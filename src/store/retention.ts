/**
 * The retention policy for stored files: blobs unused for longer than `maxAgeMs` go, and then the
 * least recently used ones until all blobs fit in `maxBytes`. Inspection rows are kept forever;
 * deleting a blob's row clears their references to it (ON DELETE SET NULL) in the same
 * transaction, and only after that commits is the file unlinked (see BlobStore for the rules that
 * make this safe against inspections being written at the same moment). Derived files (rendered
 * heatmaps) go with their blob and are not counted in `maxBytes`.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { BlobStore } from './blob-store.js';
import type { Db } from './database.js';

export interface RetentionPolicy {
  maxAgeMs: number;
  maxBytes: number;
}

export interface RetentionReport {
  removedBlobs: number;
  freedBytes: number;
  /** Files no row wanted (left by a crash) that were deleted. */
  removedOrphans: number;
}

/** Rows deleted per transaction: keeps each pause of the event loop short. */
const PASS_SIZE = 2000;
/** A temporary file older than this belongs to no write in progress. */
const TEMP_GRACE_MS = 60 * 60 * 1000;

export async function applyRetention(db: Db, blobs: BlobStore, policy: RetentionPolicy, now = Date.now()): Promise<RetentionReport> {
  const wanted = db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').pluck();
  const isWanted = (sha256: string) => wanted.get(sha256) !== undefined;
  const report: RetentionReport = { removedBlobs: 0, freedBytes: 0, removedOrphans: 0 };

  for (;;) {
    const victims = db.transaction(() => chooseVictims(db, blobs, policy, now)).immediate();
    if (victims.length === 0) break;
    for (const victim of victims) {
      if (await blobs.remove(victim.sha256, () => isWanted(victim.sha256))) {
        report.removedBlobs++;
        report.freedBytes += victim.bytes;
      }
    }
    await yieldToEventLoop();
  }
  report.removedOrphans = await blobs.sweepOrphans(isWanted, TEMP_GRACE_MS, now);
  return report;
}

interface Victim {
  sha256: string;
  bytes: number;
}

/** Up to PASS_SIZE blobs past the age limit or over the byte budget, their rows deleted. */
function chooseVictims(db: Db, blobs: BlobStore, policy: RetentionPolicy, now: number): Victim[] {
  const chosen: Victim[] = [];
  let total = db.prepare('SELECT COALESCE(SUM(bytes), 0) FROM blobs').pluck().get() as number;
  // Oldest first: first everything past the age limit, then as much as the budget needs.
  for (const blob of db.prepare('SELECT sha256, bytes, last_used_ms FROM blobs ORDER BY last_used_ms, sha256').iterate() as Iterable<Victim & { last_used_ms: number }>) {
    if (chosen.length >= PASS_SIZE) break;
    const expired = blob.last_used_ms < now - policy.maxAgeMs;
    if (!expired && total <= policy.maxBytes) break;
    // A pinned blob is being referenced by an inspection right now: its row is about to be used.
    if (blobs.isPinned(blob.sha256)) continue;
    chosen.push({ sha256: blob.sha256, bytes: blob.bytes });
    total -= blob.bytes;
  }
  const remove = db.prepare('DELETE FROM blobs WHERE sha256 = ?');
  for (const victim of chosen) remove.run(victim.sha256);
  return chosen;
}
