/**
 * Inspection statistics per product, line and time bucket: counts and NG rate, a score histogram
 * (ten bins of 0.1; the threshold 0.5 is a bin edge), review outcomes and end-to-end latency.
 * They are added up from the per-minute or per-hour rollups that triggers keep beside the
 * inspections (migration 3), never from the inspections themselves: what a query reads grows
 * with its time span, not with the traffic, so a wide chart cannot stall the main thread that
 * serves the cameras.
 */
import type { Db } from './database.js';
import { filterClause, REVIEW_VERDICTS, type InspectionFilter, type ReviewState } from './inspections.js';

export const SCORE_BINS = 10;
const REVIEW_STATES: readonly ReviewState[] = ['unreviewed', ...REVIEW_VERDICTS];
/** The rollups' bucket sizes, finest first. */
const ROLLUP_RESOLUTIONS_MS = [60_000, 3_600_000] as const;

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

export interface InspectionStats {
  /** The range counted: the one asked for, widened to whole rollup buckets. */
  fromMs: number;
  toMs: number;
  buckets: StatsBucket[];
}

export type StatsFilter = Pick<InspectionFilter, 'product' | 'line' | 'camera'> & { fromMs: number; toMs: number };

type Row = { product_id: string; line: string; start: number; inspections: number; ng: number; total_ms_sum: number; total_ms_max: number } & Record<
  `bin_${number}` | ReviewState,
  number
>;

const BIN_COLUMNS = Array.from({ length: SCORE_BINS }, (_, bin) => `bin_${bin}`);
const SUMS = ['inspections', 'ng', ...BIN_COLUMNS, ...REVIEW_STATES, 'total_ms_sum'].map((column) => `SUM(${column}) AS ${column}`).join(', ');

export function inspectionStats(db: Db, filter: StatsFilter, bucketMs: number): InspectionStats {
  const { sql, params, fromMs, toMs } = statsQuery(filter, bucketMs);
  const rows = db.prepare(sql).all(params) as Row[];
  const buckets = rows.map((row) => ({
    product: row.product_id,
    // the rollups keep "no line" as '' (see migration 3)
    line: row.line === '' ? null : row.line,
    startMs: row.start,
    inspections: row.inspections,
    ng: row.ng,
    ngRate: row.ng / row.inspections,
    scoreHistogram: BIN_COLUMNS.map((column) => row[column as `bin_${number}`]),
    reviews: Object.fromEntries(REVIEW_STATES.map((state) => [state, row[state]])) as Record<ReviewState, number>,
    latencyMs: { mean: row.total_ms_sum / row.inspections, max: row.total_ms_max },
  }));
  return { fromMs, toMs, buckets };
}

/** The stats query and the range it covers. Its own function for the query-plan tests. */
export function statsQuery(filter: StatsFilter, bucketMs: number): { sql: string; params: Record<string, string | number | bigint>; fromMs: number; toMs: number } {
  if (!(Number.isSafeInteger(bucketMs) && bucketMs > 0)) throw new RangeError(`bucket must be a positive whole number of ms, got ${bucketMs}`);
  const resolution = rollupResolution(bucketMs);
  const fromMs = Math.floor(filter.fromMs / resolution) * resolution;
  const toMs = Math.ceil(filter.toMs / resolution) * resolution;
  const { where, params } = filterClause({ product: filter.product, line: filter.line, camera: filter.camera });
  const sql = `SELECT product_id, line, (start_ms / @bucket) * @bucket AS start, ${SUMS}, MAX(total_ms_max) AS total_ms_max
    FROM inspection_rollups
    WHERE ${['resolution_ms = @resolution', 'start_ms >= @fromMs', 'start_ms < @toMs', ...where].join(' AND ')}
    GROUP BY product_id, line, start ORDER BY 1, 2, 3`;
  // the bucket bound as an integer: a JS number binds as REAL, and the division would not floor
  return { sql, params: { ...params, resolution, fromMs, toMs, bucket: BigInt(bucketMs) }, fromMs, toMs };
}

/** The coarsest rollup that a bucket is made of whole rollup buckets of. */
function rollupResolution(bucketMs: number): number {
  const fitting = ROLLUP_RESOLUTIONS_MS.filter((resolution) => bucketMs % resolution === 0);
  if (fitting.length === 0) throw new RangeError(`bucket must be a whole number of minutes, got ${bucketMs} ms`);
  return fitting.at(-1)!;
}
