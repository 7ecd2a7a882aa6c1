/**
 * The retention policy for stored files: blobs unused for longer than `maxAgeMs` go, and then the
 * least recently used ones until all blobs fit in `maxBytes`, except the images and maps (and
 * their rendered pictures) of inspections under a legal hold. Inspection rows are kept forever;
 * deleting a blob's row clears their references to it (ON DELETE SET NULL) in the same
 * transaction, and only after that commits is the file unlinked (see BlobStore for the rules that
 * make this safe against inspections being written at the same moment). Derived files (rendered
 * pictures) go with their blob, and count in `maxBytes` too: when blobs and derived files together
 * are over the budget, derived files go first, oldest first, because they can be rendered again;
 * only then do blobs go.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { BlobStore } from './blob-store.js';
import type { Db } from './database.js';
import { trimDerivedFiles } from './derived-files.js';
import { heldBlobs } from './legal-holds.js';

export interface RetentionPolicy {
  maxAgeMs: number;
  maxBytes: number;
}

export interface RetentionReport {
  removedBlobs: number;
  /** Derived files (rendered pictures) deleted for the byte budget. */
  removedDerived: number;
  /** Blobs' and derived files' bytes. */
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
  const isHeld = heldBlobs(db);
  const report: RetentionReport = { removedBlobs: 0, removedDerived: 0, freedBytes: 0, removedOrphans: 0 };

  // Expired blobs first (their derived files go with them), then derived files, then blobs for the budget.
  await removeBlobs(db, blobs, isWanted, isHeld, { maxAgeMs: policy.maxAgeMs, maxBytes: Infinity }, now, report);
  const derived = await trimDerivedFiles(blobs, policy.maxBytes - storedBytes(db), isHeld);
  report.removedDerived = derived.removed;
  report.freedBytes += derived.freedBytes;
  await removeBlobs(db, blobs, isWanted, isHeld, { maxAgeMs: policy.maxAgeMs, maxBytes: policy.maxBytes - derived.bytesLeft }, now, report);
  report.removedOrphans = await blobs.sweepOrphans(isWanted, TEMP_GRACE_MS, now);
  return report;
}

/** Blobs past the age limit, then the least recently used ones until the rest fit `policy.maxBytes`. */
async function removeBlobs(
  db: Db,
  blobs: BlobStore,
  isWanted: (sha256: string) => boolean,
  isHeld: (sha256: string) => boolean,
  policy: RetentionPolicy,
  now: number,
  report: RetentionReport,
): Promise<void> {
  for (;;) {
    const victims = db.transaction(() => chooseVictims(db, blobs, isHeld, policy, now)).immediate();
    if (victims.length === 0) break;
    for (const victim of victims) {
      if (await blobs.remove(victim.sha256, () => isWanted(victim.sha256))) {
        report.removedBlobs++;
        report.freedBytes += victim.bytes;
      }
    }
    await yieldToEventLoop();
  }
}

interface Victim {
  sha256: string;
  bytes: number;
}

/** Up to PASS_SIZE blobs past the age limit or over the byte budget, their rows deleted. */
function chooseVictims(db: Db, blobs: BlobStore, isHeld: (sha256: string) => boolean, policy: RetentionPolicy, now: number): Victim[] {
  const chosen: Victim[] = [];
  let total = storedBytes(db);
  // Oldest first: first everything past the age limit, then as much as the budget needs.
  for (const blob of db.prepare('SELECT sha256, bytes, last_used_ms FROM blobs ORDER BY last_used_ms, sha256').iterate() as Iterable<Victim & { last_used_ms: number }>) {
    if (chosen.length >= PASS_SIZE) break;
    const expired = blob.last_used_ms < now - policy.maxAgeMs;
    if (!expired && total <= policy.maxBytes) break;
    // A pinned blob is being referenced by an inspection right now: its row is about to be used.
    if (blobs.isPinned(blob.sha256)) continue;
    // Held in the same transaction that deletes: a hold placed a moment ago is seen.
    if (isHeld(blob.sha256)) continue;
    chosen.push({ sha256: blob.sha256, bytes: blob.bytes });
    total -= blob.bytes;
  }
  const remove = db.prepare('DELETE FROM blobs WHERE sha256 = ?');
  for (const victim of chosen) remove.run(victim.sha256);
  return chosen;
}

function storedBytes(db: Db): number {
  return db.prepare('SELECT COALESCE(SUM(bytes), 0) FROM blobs').pluck().get() as number;
}
