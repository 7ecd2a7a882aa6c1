/**
 * The inspection list and stats on a big log: each list filter is an index search (a page stops
 * at its last row), stats read the rollups and never the inspections, and the rollups count
 * exactly what the inspections say, also after reviews and for a log that predates them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.js';
import { listQuery, oldestFirstQuery, REVIEW_VERDICTS, type InspectionFilter, type ReviewState } from '../../src/store/inspections.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { ReviewStore } from '../../src/store/reviews.js';
import { inspectionStats, statsQuery, type StatsBucket } from '../../src/store/stats.js';
import { insertInspections, spreadInspections, type BulkInspection } from '../helpers/bulk-inspections.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.parse('2025-03-01T00:00:00.000Z');

let dir: string;
let db: Db;
let rows: BulkInspection[];

function seed(target: Db): BulkInspection[] {
  target.exec(`INSERT INTO products (id, created_ms) VALUES ('widget', 0), ('gadget', 0);
    INSERT INTO model_versions (product_id, version, method, dir, manifest, created_ms, registered_ms) VALUES ('widget', 'v1', 'gaussian', 'm', '{}', 0, 0)`);
  // 40 000 inspections over 28 days: plenty to make a full scan the planner's worse choice
  const seeded = [...spreadInspections(30_000, 'widget', T0, 61_000), ...spreadInspections(10_000, 'gadget', T0 + 7 * MINUTE, 241_000)];
  insertInspections(target, 1, seeded);
  return seeded;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-queries-'));
  db = openDatabase(path.join(dir, 'kensa.db'));
  rows = seed(db);
});
afterAll(async () => {
  db?.close();
  await rm(dir, { recursive: true, force: true });
});

/** How SQLite reads the inspections (alias i) for a query, e.g. "SEARCH i USING INDEX ... (line=?)". */
function plan(sql: string, params: Record<string, unknown>): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((step) => step.detail);
}

/** The buckets computed here from the rows themselves, in the order the store answers. */
function expectedStats(source: readonly BulkInspection[], fromMs: number, toMs: number, bucketMs: number, filter: { product?: string; line?: string; camera?: string } = {}) {
  const buckets = new Map<string, StatsBucket & { latencySum: number }>();
  for (const row of source) {
    if (row.createdMs < fromMs || row.createdMs >= toMs) continue;
    if ((filter.product && row.productId !== filter.product) || (filter.line && row.line !== filter.line) || (filter.camera && row.camera !== filter.camera)) continue;
    const startMs = Math.floor(row.createdMs / bucketMs) * bucketMs;
    const key = JSON.stringify([row.productId, row.line ?? '', startMs]);
    const bucket =
      buckets.get(key) ??
      buckets
        .set(key, {
          product: row.productId,
          line: row.line,
          startMs,
          inspections: 0,
          ng: 0,
          ngRate: 0,
          scoreHistogram: new Array<number>(10).fill(0),
          reviews: Object.fromEntries(['unreviewed', ...REVIEW_VERDICTS].map((state) => [state, 0])) as Record<ReviewState, number>,
          latencyMs: { mean: 0, max: 0 },
          latencySum: 0,
        })
        .get(key)!;
    bucket.inspections++;
    if (row.score >= 0.5) bucket.ng++;
    bucket.scoreHistogram[Math.min(Math.floor(row.score * 10), 9)]++;
    bucket.reviews[row.reviewState]++;
    bucket.latencySum += row.totalMs;
    bucket.latencyMs.max = Math.max(bucket.latencyMs.max, row.totalMs);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { latencySum, ...bucket }]) => ({ ...bucket, ngRate: bucket.ng / bucket.inspections, latencyMs: { mean: latencySum / bucket.inspections, max: bucket.latencyMs.max } }));
}

/** A mean added up in another order differs in the last bits. */
const withLatencyCloseTo = (bucket: StatsBucket) => ({ ...bucket, latencyMs: { mean: expect.closeTo(bucket.latencyMs.mean, 9), max: bucket.latencyMs.max } });

describe('the inspection list', () => {
  const filters: [InspectionFilter, string][] = [
    [{ product: 'widget' }, 'product_id=?'],
    [{ line: 'L1' }, 'line=?'],
    [{ camera: 'C2' }, 'camera=?'],
    [{ decision: 'NG' }, 'decision=?'],
    [{ review: 'unreviewed' }, 'review_state=?'],
    [{ review: 'reviewed' }, 'review_state=?'],
    [{ part: 'SN-4711' }, 'part_id=?'],
    [{ lot: 'LOT-7' }, 'lot=?'],
    [{ station: 'ST4' }, 'station=?'],
    [{ view: 'top' }, 'view=?'],
  ];
  for (const range of [{}, { fromMs: T0 + DAY, toMs: T0 + 8 * DAY }]) {
    it.each(filters)(`searches an index on the filtered column: %j ${range.fromMs ? 'in a time range' : 'over all time'}`, (filter, search) => {
      const { sql, params } = listQuery({ ...filter, ...range }, 51, { createdMs: T0 + 20 * DAY, id: 'widget-99999999' });
      const steps = plan(sql, params);
      expect(steps[0]).toMatch(new RegExp(`^SEARCH i USING (COVERING )?INDEX \\w+ \\(${search.replace('?', '\\?')}`));
      expect(steps.join('\n')).not.toMatch(/^SCAN i\b/m);
    });
  }

  it.each([{}, { minScore: 0.9 }, { maxScore: 0.1 }])('walks the time index in list order without sorting when no column filter applies: %j', (filter) => {
    // the walk stops at the page's last row: no sort has to read every match first
    const { sql, params } = listQuery(filter, 51, null);
    const steps = plan(sql, params);
    expect(steps[0]).toBe('SCAN i USING INDEX inspections_by_time');
    expect(steps.join('\n')).not.toMatch(/TEMP B-TREE/);
  });
});

describe('the export walk', () => {
  it.each([
    [{ lot: 'LOT-7' }, 'lot=?'],
    [{ part: 'SN-4711' }, 'part_id=?'],
    [{ fromMs: T0 + DAY, toMs: T0 + 2 * DAY }, 'created_ms>? AND created_ms<?'],
  ] as [InspectionFilter, string][])('searches an index in export order: %j', (filter, search) => {
    const { sql, params } = oldestFirstQuery(filter, 1e9, 200, { createdMs: T0, id: 'widget-00000000' });
    const steps = plan(sql, params);
    expect(steps[0]).toMatch(new RegExp(`^SEARCH i USING (COVERING )?INDEX \\w+ \\(${search.replace(/[?()]/g, '\\$&')}`));
    expect(steps.join('\n')).not.toMatch(/TEMP B-TREE/);
  });
});

describe('stats', () => {
  it.each([{}, { product: 'widget' }, { line: 'L1' }, { camera: 'C2' }, { product: 'gadget', line: 'L2', camera: 'C1' }])(
    'read only the rollups, by time range: %j',
    (filter) => {
      for (const bucketMs of [MINUTE, HOUR, DAY]) {
        const { sql, params } = statsQuery({ ...filter, fromMs: T0, toMs: T0 + (bucketMs === MINUTE ? 3 * DAY : 28 * DAY) }, bucketMs);
        const steps = plan(sql, params);
        expect(steps[0]).toBe('SEARCH inspection_rollups USING PRIMARY KEY (resolution_ms=? AND start_ms>? AND start_ms<?)');
        expect(steps.join('\n')).not.toMatch(/\binspections\b/);
      }
    },
  );

  it('count what the inspections say, per minute, hour and day, with every filter', () => {
    for (const [bucketMs, fromMs, toMs] of [
      [MINUTE, T0 + 2 * HOUR, T0 + 9 * HOUR],
      [HOUR, T0 + DAY, T0 + 4 * DAY],
      [DAY, T0, T0 + 28 * DAY],
    ]) {
      for (const filter of [{}, { product: 'gadget' }, { line: 'L2' }, { camera: 'C3' }]) {
        const stats = inspectionStats(db, { ...filter, fromMs, toMs }, bucketMs);
        const expected = expectedStats(rows, fromMs, toMs, bucketMs, filter);
        expect(expected.length).toBeGreaterThan(1);
        expect(stats).toMatchObject({ fromMs, toMs });
        expect(stats.buckets).toEqual(expected.map(withLatencyCloseTo));
      }
    }
  });

  it('follow reviews, also when a verdict is changed', () => {
    const reviews = new ReviewStore(db);
    const changed = rows.filter((row) => row.productId === 'gadget').slice(0, 40);
    for (const [n, row] of changed.entries()) {
      reviews.add(row.id, 'true_defect', null, null);
      if (n % 2) reviews.add(row.id, 'ok', null, null);
      row.reviewState = n % 2 ? 'ok' : 'true_defect';
    }
    const day = { fromMs: T0, toMs: T0 + DAY };
    expect(inspectionStats(db, { product: 'gadget', ...day }, HOUR).buckets.map((b) => b.reviews)).toEqual(
      expectedStats(rows, day.fromMs, day.toMs, HOUR, { product: 'gadget' }).map((b) => b.reviews),
    );
  });

  it('follow an inspection moved to another time', () => {
    const moved = rows.find((row) => row.productId === 'gadget' && row.createdMs >= T0 + DAY)!;
    db.prepare('UPDATE inspections SET created_ms = ? WHERE id = ?').run(T0 + 30 * 60_000, moved.id);
    moved.createdMs = T0 + 30 * 60_000;
    for (const bucketMs of [MINUTE, HOUR]) {
      expect(inspectionStats(db, { product: 'gadget', fromMs: T0, toMs: T0 + 2 * DAY }, bucketMs).buckets).toEqual(
        expectedStats(rows, T0, T0 + 2 * DAY, bucketMs, { product: 'gadget' }).map(withLatencyCloseTo),
      );
    }
  });

  it('widen a range to whole rollup buckets', () => {
    expect(inspectionStats(db, { fromMs: T0 + 90_000, toMs: T0 + 150_000 }, MINUTE)).toMatchObject({ fromMs: T0 + MINUTE, toMs: T0 + 3 * MINUTE });
    expect(inspectionStats(db, { fromMs: T0 + 90_000, toMs: T0 + DAY + 1 }, DAY)).toMatchObject({ fromMs: T0, toMs: T0 + DAY + HOUR });
  });

  it('are rolled up from the inspections a database held before the rollups existed', () => {
    const file = path.join(dir, 'before.db');
    const before = openDatabase(file, MIGRATIONS.filter((migration) => migration.version < 3));
    const seeded = seed(before);
    before.close();
    const after = openDatabase(file);
    try {
      expect(inspectionStats(after, { fromMs: T0, toMs: T0 + 28 * DAY }, DAY).buckets).toEqual(expectedStats(seeded, T0, T0 + 28 * DAY, DAY).map(withLatencyCloseTo));
    } finally {
      after.close();
    }
  });
});
