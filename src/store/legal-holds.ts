/**
 * Legal holds: lots and parts (by part id, in every product: keeping too much is the safe side)
 * whose inspections' files retention must keep, for audits and customer complaints. Admins place
 * and release them; the records themselves are kept in any case.
 */
import type { Db } from './database.js';

export const HOLD_KINDS = ['lot', 'part'] as const;
export type HoldKind = (typeof HOLD_KINDS)[number];

export interface LegalHold {
  kind: HoldKind;
  /** The lot, or the part id. */
  value: string;
  reason: string;
  actorKeyId: number | null;
  createdMs: number;
}

interface Row {
  kind: HoldKind;
  value: string;
  reason: string;
  actor_key_id: number | null;
  created_ms: number;
}

const toHold = (row: Row): LegalHold => ({ kind: row.kind, value: row.value, reason: row.reason, actorKeyId: row.actor_key_id, createdMs: row.created_ms });

/** SQL: 1 when a hold covers inspection `i` (its lot or its part id), else 0. Two primary-key lookups. */
export const LEGAL_HOLD_OF_INSPECTION = `(EXISTS (SELECT 1 FROM legal_holds h WHERE h.kind = 'lot' AND h.value = i.lot)
  OR EXISTS (SELECT 1 FROM legal_holds h WHERE h.kind = 'part' AND h.value = i.part_id))`;

export class LegalHoldStore {
  constructor(private readonly db: Db) {}

  /** Places a hold; one already in place is kept as it was (`placed` false). */
  place(kind: HoldKind, value: string, reason: string, actorKeyId: number | null, now = Date.now()): { hold: LegalHold; placed: boolean } {
    const placed = this.db
      .prepare('INSERT INTO legal_holds (kind, value, reason, actor_key_id, created_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(kind, value, reason, actorKeyId, now).changes === 1;
    return { hold: this.get(kind, value)!, placed };
  }

  /** Releases a hold; null when there was none. */
  release(kind: HoldKind, value: string): LegalHold | null {
    const row = this.db.prepare('DELETE FROM legal_holds WHERE kind = ? AND value = ? RETURNING *').get(kind, value) as Row | undefined;
    return row ? toHold(row) : null;
  }

  get(kind: HoldKind, value: string): LegalHold | null {
    const row = this.db.prepare('SELECT * FROM legal_holds WHERE kind = ? AND value = ?').get(kind, value) as Row | undefined;
    return row ? toHold(row) : null;
  }

  /** Newest first. */
  list(): LegalHold[] {
    return (this.db.prepare('SELECT * FROM legal_holds ORDER BY created_ms DESC, kind, value').all() as Row[]).map(toHold);
  }

  /** Whether a hold covers an inspection of this lot and part id. */
  covers(lot: string | null, partId: string | null): boolean {
    if (lot === null && partId === null) return false;
    return this.db.prepare(`SELECT ${LEGAL_HOLD_OF_INSPECTION} FROM (SELECT ? AS lot, ? AS part_id) i`).pluck().get(lot, partId) === 1;
  }
}

/**
 * For retention: whether blob `sha256` is the image or the map of an inspection under a hold. One
 * statement, prepared once; it looks the inspections up by their blob indexes.
 */
export function heldBlobs(db: Db): (sha256: string) => boolean {
  const held = db
    .prepare(`SELECT 1 FROM inspections i WHERE (i.image_blob = @sha256 OR i.map_blob = @sha256) AND ${LEGAL_HOLD_OF_INSPECTION} LIMIT 1`)
    .pluck();
  return (sha256) => held.get({ sha256 }) !== undefined;
}
