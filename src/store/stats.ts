/**
 * Inspection statistics per product, line and time bucket, computed by SQLite's aggregates over
 * the same filter the inspection list uses: counts and NG rate, a score histogram (ten bins of
 * 0.1; the threshold 0.5 is a bin edge), review outcomes and end-to-end latency.
 */
import type { Db } from './database.js';
import { filterClause, REVIEW_VERDICTS, type InspectionFilter, type ReviewState } from './inspections.js';

export const SCORE_BINS = 10;

export interface StatsBucket {
  product: string;
  line: string | null;
  startMs: number;
  inspections: number;
  ng: number;
  ngRate: number;
  /** Inspections per score bin [k / 10, (k + 1) / 10); the last bin includes 1. */
  scoreHistogram: number[];
  reviews: Record<ReviewState, number>;
  latencyMs: { mean: number; max: number };
}

export type StatsFilter = Pick<InspectionFilter, 'product' | 'line' | 'camera' | 'fromMs' | 'toMs'>;

interface GroupRow {
  product_id: string;
  line: string | null;
  start: number;
}

export function inspectionStats(db: Db, filter: StatsFilter, bucketMs: number): StatsBucket[] {
  if (!(Number.isSafeInteger(bucketMs) && bucketMs > 0)) throw new RangeError(`bucket must be a positive whole number of ms, got ${bucketMs}`);
  const { where, params } = filterClause(filter);
  const from = `FROM inspections ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
  const group = 'product_id, line, (created_ms / @bucket) * @bucket';
  const select = `SELECT product_id, line, (created_ms / @bucket) * @bucket AS start`;
  // bound as an integer: a JS number binds as REAL, and the division would not floor
  const bind = { ...params, bucket: BigInt(bucketMs) };

  const buckets = new Map<string, StatsBucket>();
  const keyOf = (row: GroupRow) => JSON.stringify([row.product_id, row.line, row.start]);
  const totals = db
    .prepare(`${select}, COUNT(*) AS n, SUM(decision = 'NG') AS ng, AVG(total_ms) AS mean_ms, MAX(total_ms) AS max_ms ${from} GROUP BY ${group} ORDER BY 1, 2, 3`)
    .all(bind) as (GroupRow & { n: number; ng: number; mean_ms: number; max_ms: number })[];
  for (const row of totals) {
    buckets.set(keyOf(row), {
      product: row.product_id,
      line: row.line,
      startMs: row.start,
      inspections: row.n,
      ng: row.ng,
      ngRate: row.ng / row.n,
      scoreHistogram: new Array<number>(SCORE_BINS).fill(0),
      reviews: Object.fromEntries(['unreviewed', ...REVIEW_VERDICTS].map((state) => [state, 0])) as Record<ReviewState, number>,
      latencyMs: { mean: row.mean_ms, max: row.max_ms },
    });
  }
  const bins = db
    .prepare(`${select}, MIN(CAST(score * ${SCORE_BINS} AS INTEGER), ${SCORE_BINS - 1}) AS bin, COUNT(*) AS n ${from} GROUP BY ${group}, bin`)
    .all(bind) as (GroupRow & { bin: number; n: number })[];
  for (const row of bins) buckets.get(keyOf(row))!.scoreHistogram[row.bin] = row.n;
  const reviews = db
    .prepare(`${select}, review_state, COUNT(*) AS n ${from} GROUP BY ${group}, review_state`)
    .all(bind) as (GroupRow & { review_state: ReviewState; n: number })[];
  for (const row of reviews) buckets.get(keyOf(row))!.reviews[row.review_state] = row.n;
  return [...buckets.values()];
}
