/**
 * Many inspection rows at once, straight into SQLite in one transaction (tens of thousands per
 * second): for tests of queries over a big log, where going through POST /inspect would take
 * minutes. The rows have no files; everything the queries filter and count on is set.
 */
import type { Db } from '../../src/store/database.js';
import type { ReviewState } from '../../src/store/inspections.js';

export interface BulkInspection {
  id: string;
  createdMs: number;
  productId: string;
  line: string | null;
  camera: string | null;
  score: number;
  totalMs: number;
  reviewState: ReviewState;
}

/** `count` rows of `productId`, one every `everyMs` from `startMs`, with lines, cameras, scores and reviews varied by a fixed rule. */
export function spreadInspections(count: number, productId: string, startMs: number, everyMs: number): BulkInspection[] {
  return Array.from({ length: count }, (_, n) => ({
    id: `${productId}-${String(n).padStart(8, '0')}`,
    createdMs: startMs + n * everyMs,
    productId,
    line: n % 5 === 0 ? null : `L${n % 3}`,
    camera: n % 7 === 0 ? null : `C${n % 4}`,
    // a deterministic spread over [0, 1], 1 included
    score: (n * 37) % 101 / 100,
    totalMs: 5 + (n % 50),
    reviewState: n % 11 === 0 ? 'false_alarm' : n % 13 === 0 ? 'true_defect' : 'unreviewed',
  }));
}

export function insertInspections(db: Db, modelVersionId: number, rows: readonly BulkInspection[]): void {
  const insert = db.prepare(
    `INSERT INTO inspections (id, created_ms, product_id, line, camera, model_version_id, decision, score, raw_score, threshold, regions,
       image_sha256, image_format, image_width, image_height, image_bytes, map_width, map_height, timings, total_ms, client, review_state)
     VALUES (@id, @createdMs, @productId, @line, @camera, @modelVersionId, @decision, @score, @score, 0.5, '[]',
       'none', 'png', 1, 1, 1, 1, 1, '{}', @totalMs, '{}', @reviewState)`,
  );
  db.transaction(() => {
    for (const row of rows) insert.run({ ...row, modelVersionId, decision: row.score >= 0.5 ? 'NG' : 'OK' });
  })();
}
