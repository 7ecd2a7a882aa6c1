/** QA verdicts on inspections. The latest verdict is mirrored into inspections.review_state. */
import type { Db } from './database.js';
import type { ReviewVerdict } from './inspections.js';

export interface ReviewRecord {
  id: number;
  inspectionId: string;
  verdict: ReviewVerdict;
  note: string | null;
  reviewerKeyId: number | null;
  /** The reviewer key's public prefix. */
  reviewer: string | null;
  createdMs: number;
}

interface Row {
  id: number;
  inspection_id: string;
  verdict: ReviewVerdict;
  note: string | null;
  reviewer_key_id: number | null;
  reviewer: string | null;
  created_ms: number;
}

const SELECT = 'SELECT r.*, k.prefix AS reviewer FROM reviews r LEFT JOIN api_keys k ON k.id = r.reviewer_key_id';

const toRecord = (row: Row): ReviewRecord => ({
  id: row.id,
  inspectionId: row.inspection_id,
  verdict: row.verdict,
  note: row.note,
  reviewerKeyId: row.reviewer_key_id,
  reviewer: row.reviewer,
  createdMs: row.created_ms,
});

export class ReviewStore {
  constructor(private readonly db: Db) {}

  /** Null when the inspection does not exist. */
  add(inspectionId: string, verdict: ReviewVerdict, note: string | null, reviewerKeyId: number | null, now = Date.now()): ReviewRecord | null {
    return this.db.transaction(() => {
      const updated = this.db.prepare('UPDATE inspections SET review_state = ? WHERE id = ?').run(verdict, inspectionId);
      if (updated.changes === 0) return null;
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO reviews (inspection_id, verdict, note, reviewer_key_id, created_ms) VALUES (?, ?, ?, ?, ?)')
        .run(inspectionId, verdict, note, reviewerKeyId, now);
      return toRecord(this.db.prepare(`${SELECT} WHERE r.id = ?`).get(lastInsertRowid) as Row);
    })();
  }

  /** Reviews of one inspection, oldest first. */
  list(inspectionId: string): ReviewRecord[] {
    return (this.db.prepare(`${SELECT} WHERE r.inspection_id = ? ORDER BY r.id`).all(inspectionId) as Row[]).map(toRecord);
  }
}
