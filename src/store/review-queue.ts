/**
 * The review queue: inspections the product's sampling policy (src/health/review-sampler.ts) put
 * in front of QA, each with the reason it was sampled. An entry waits until the inspection is
 * reviewed (a trigger on inspections follows every review) and stays afterwards, so the reason
 * can still be shown.
 */
import type { Db } from './database.js';
import type { CameraKey } from './drift-events.js';

export const QUEUE_REASONS = ['ng', 'near-threshold', 'ok-sample'] as const;
export type QueueReason = (typeof QUEUE_REASONS)[number];

/** The queue's order: every NG first, then inspections near the threshold, then the sampled clear OK parts. */
export const QUEUE_PRIORITY: Record<QueueReason, number> = { ng: 0, 'near-threshold': 1, 'ok-sample': 2 };

/** Where a page of the queue ends: the queue order's key of its last entry. */
export interface QueuePosition {
  priority: number;
  createdMs: number;
  inspectionId: string;
}

export interface QueueEntry extends CameraKey {
  inspectionId: string;
  reason: QueueReason;
  createdMs: number;
  waiting: boolean;
}

interface Row {
  inspection_id: string;
  product_id: string;
  line: string;
  camera: string;
  reason: QueueReason;
  created_ms: number;
  waiting: 0 | 1;
}

const toEntry = (row: Row): QueueEntry => ({
  inspectionId: row.inspection_id,
  productId: row.product_id,
  line: row.line,
  camera: row.camera,
  reason: row.reason,
  createdMs: row.created_ms,
  waiting: row.waiting === 1,
});

export class ReviewQueueStore {
  private readonly insertEntry;
  private readonly lastOfCamera;
  private readonly waitingPage;

  constructor(private readonly db: Db) {
    this.insertEntry = db.prepare(
      `INSERT INTO review_queue (inspection_id, product_id, line, camera, reason, priority, created_ms)
       VALUES (@inspectionId, @productId, @line, @camera, @reason, @priority, @createdMs) ON CONFLICT DO NOTHING`,
    );
    this.lastOfCamera = db.prepare('SELECT MAX(created_ms) FROM review_queue WHERE product_id = ? AND line = ? AND camera = ? AND reason = ?').pluck();
    // keyset paging in queue order; the index review_queue_waiting ends in the primary key, inspection_id
    this.waitingPage = db.prepare(
      `SELECT * FROM review_queue WHERE product_id = @productId AND waiting = 1
         AND (@priority IS NULL OR priority > @priority OR (priority = @priority AND (created_ms < @createdMs OR (created_ms = @createdMs AND inspection_id < @inspectionId))))
       ORDER BY priority, created_ms DESC, inspection_id DESC LIMIT @limit`,
    );
  }

  add(entry: Omit<QueueEntry, 'waiting'>): void {
    this.insertEntry.run({ ...entry, priority: QUEUE_PRIORITY[entry.reason] });
  }

  /** When the camera's latest entry for `reason` was queued, or null. */
  lastQueuedMs(key: CameraKey, reason: QueueReason): number | null {
    return (this.lastOfCamera.get(key.productId, key.line, key.camera, reason) as number | null) ?? null;
  }

  get(inspectionId: string): QueueEntry | null {
    const row = this.db.prepare('SELECT * FROM review_queue WHERE inspection_id = ?').get(inspectionId) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  /** The waiting entries of a product in queue order (priority, then newest first), those up to `after` skipped. */
  waiting(productId: string, limit: number, after: QueuePosition | null = null): QueueEntry[] {
    const rows = this.waitingPage.all({ productId, limit, priority: null, createdMs: null, inspectionId: null, ...after }) as Row[];
    return rows.map(toEntry);
  }

  /** Waiting entries per product and reason (for the metrics; reads the partial index). */
  waitingCounts(): { productId: string; reason: QueueReason; count: number }[] {
    return this.db.prepare('SELECT product_id AS productId, reason, COUNT(*) AS count FROM review_queue WHERE waiting = 1 GROUP BY product_id, reason').all() as {
      productId: string;
      reason: QueueReason;
      count: number;
    }[];
  }
}
