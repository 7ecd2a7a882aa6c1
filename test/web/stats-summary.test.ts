/** From stats buckets to the dashboard's pictures: the time grid, gaps, per-line NG rates and the headline rates. */
import { describe, expect, it } from 'vitest';
import type { Stats, StatsBucket } from '../../src/web/client/api/types.js';
import { summarize } from '../../src/web/client/dashboard/stats-summary.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-03-01T00:00:00.000Z');

function bucket(hour: number, line: string | null, fields: Partial<StatsBucket>): StatsBucket {
  return {
    product: 'widget',
    line,
    start: new Date(T0 + hour * HOUR).toISOString(),
    inspections: 0,
    ng: 0,
    ngRate: 0,
    scoreHistogram: new Array(10).fill(0),
    reviews: { unreviewed: 0, true_defect: 0, false_alarm: 0, missed_defect: 0, ok: 0 },
    latencyMs: { mean: 0, max: 0 },
    ...fields,
  };
}

const stats: Stats = {
  from: new Date(T0).toISOString(),
  to: new Date(T0 + 4 * HOUR).toISOString(),
  bucket: 'hour',
  buckets: [
    bucket(0, 'L1', {
      inspections: 10,
      ng: 2,
      scoreHistogram: [5, 3, 0, 0, 0, 0, 0, 1, 0, 1],
      reviews: { unreviewed: 6, true_defect: 1, false_alarm: 1, missed_defect: 1, ok: 1 },
      latencyMs: { mean: 20, max: 50 },
    }),
    bucket(0, 'L2', {
      inspections: 30,
      ng: 3,
      scoreHistogram: [20, 7, 0, 0, 0, 3, 0, 0, 0, 0],
      reviews: { unreviewed: 27, true_defect: 2, false_alarm: 0, missed_defect: 0, ok: 1 },
      latencyMs: { mean: 40, max: 90 },
    }),
    bucket(2, 'L1', { inspections: 5, ng: 5, scoreHistogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 5], latencyMs: { mean: 10, max: 12 } }),
  ],
};

describe('summarize', () => {
  const summary = summarize(stats, 'hour');

  it('lays the buckets on a regular grid with gaps where nothing was inspected', () => {
    expect(summary.times).toEqual([0, 1, 2, 3].map((h) => T0 + h * HOUR));
    expect(summary.lines.map((s) => s.line)).toEqual(['L1', 'L2']);
    expect(summary.lines[0].ngRate).toEqual([0.2, null, 1, null]);
    expect(summary.lines[1].ngRate).toEqual([0.1, null, null, null]);
  });

  it('adds up counts, the histogram and the verdicts', () => {
    expect(summary.inspections).toBe(45);
    expect(summary.ng).toBe(10);
    expect(summary.ngRate).toBeCloseTo(10 / 45);
    expect(summary.histogram).toEqual([25, 10, 0, 0, 0, 3, 0, 1, 0, 6]);
    expect(summary.outcomes.true_defect).toEqual([3, 0, 0, 0]);
    expect(summary.reviewed).toBe(7);
    expect(summary.missedDefects).toBe(1);
  });

  it('counts false alarms among the reviewed NG parts only', () => {
    // 3 true defects and 1 false alarm were judged; OK verdicts and missed defects are not NG calls
    expect(summary.falseAlarmRate).toBeCloseTo(1 / 4);
  });

  it('weights the mean latency by inspections and keeps the worst', () => {
    expect(summary.latencyMean[0]).toBeCloseTo((10 * 20 + 30 * 40) / 40);
    expect(summary.latencyMax).toEqual([90, null, 12, null]);
    expect(summary.latency?.mean).toBeCloseTo((10 * 20 + 30 * 40 + 5 * 10) / 45);
    expect(summary.latency?.max).toBe(90);
  });

  it('has no rates without inspections', () => {
    const empty = summarize({ ...stats, buckets: [] }, 'hour');
    expect(empty).toMatchObject({ inspections: 0, ngRate: null, falseAlarmRate: null, latency: null });
    expect(empty.lines).toEqual([]);
  });
});
