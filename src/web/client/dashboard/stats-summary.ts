/**
 * From the stats API's buckets (one per product, line and time bucket) to what the dashboard
 * draws: a regular time grid with a gap wherever nothing was inspected, the NG rate per line,
 * latency, review outcomes over time, the score histogram, and the headline rates.
 */
import type { ReviewVerdict, Stats } from '../api/types.js';

export const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type Bucket = keyof typeof BUCKET_MS;

/** One value per grid time; null where the bucket had no inspections. */
export type Values = (number | null)[];

export interface LineSeries {
  line: string | null;
  ngRate: Values;
}

const OUTCOMES = ['true_defect', 'false_alarm', 'missed_defect', 'ok'] as const satisfies readonly ReviewVerdict[];

export interface DashboardSummary {
  /** Bucket start times (ms), from the first bucket of the range to the last. */
  times: number[];
  inspections: number;
  ng: number;
  ngRate: number | null;
  /** Reviewed NG parts that were good: false_alarm / (true_defect + false_alarm). */
  falseAlarmRate: number | null;
  missedDefects: number;
  reviewed: number;
  /** Ten bins of width 0.1; the threshold 0.5 is the edge between bins 4 and 5. */
  histogram: number[];
  lines: LineSeries[];
  /** End-to-end latency over the whole range, null without inspections. */
  latency: { mean: number; max: number } | null;
  /** Mean and worst end-to-end latency per bucket, over all lines. */
  latencyMean: Values;
  latencyMax: Values;
  /** Verdicts per bucket (of the inspections made in it). */
  outcomes: Record<(typeof OUTCOMES)[number], number[]>;
}

export function summarize(stats: Stats, bucket: Bucket): DashboardSummary {
  const bucketMs = BUCKET_MS[bucket];
  const fromMs = Date.parse(stats.from);
  const toMs = Date.parse(stats.to);
  const times: number[] = [];
  for (let t = Math.floor(fromMs / bucketMs) * bucketMs; t < toMs; t += bucketMs) times.push(t);
  const slot = new Map(times.map((t, i) => [t, i]));
  const empty = (): Values => times.map(() => null);

  const histogram = new Array<number>(10).fill(0);
  const outcomes = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, times.map(() => 0)])) as DashboardSummary['outcomes'];
  const perLine = new Map<string | null, { inspections: number[]; ng: number[] }>();
  const latencySum = times.map(() => 0);
  const latencyCount = times.map(() => 0);
  const latencyMax = empty();
  let inspections = 0;
  let ng = 0;

  for (const b of stats.buckets) {
    const i = slot.get(Date.parse(b.start));
    if (i === undefined) continue;
    inspections += b.inspections;
    ng += b.ng;
    b.scoreHistogram.forEach((count, bin) => (histogram[bin] += count));
    for (const outcome of OUTCOMES) outcomes[outcome][i] += b.reviews[outcome] ?? 0;
    let line = perLine.get(b.line);
    if (!line) perLine.set(b.line, (line = { inspections: times.map(() => 0), ng: times.map(() => 0) }));
    line.inspections[i] += b.inspections;
    line.ng[i] += b.ng;
    latencySum[i] += b.latencyMs.mean * b.inspections;
    latencyCount[i] += b.inspections;
    latencyMax[i] = Math.max(latencyMax[i] ?? 0, b.latencyMs.max);
  }

  const total = (outcome: (typeof OUTCOMES)[number]) => outcomes[outcome].reduce((sum, n) => sum + n, 0);
  const judgedNg = total('true_defect') + total('false_alarm');
  return {
    times,
    inspections,
    ng,
    ngRate: inspections ? ng / inspections : null,
    falseAlarmRate: judgedNg ? total('false_alarm') / judgedNg : null,
    missedDefects: total('missed_defect'),
    reviewed: OUTCOMES.reduce((sum, outcome) => sum + total(outcome), 0),
    histogram,
    lines: [...perLine.entries()]
      .sort(([a], [b]) => (a ?? '').localeCompare(b ?? '', undefined, { numeric: true }))
      .map(([line, counts]) => ({ line, ngRate: counts.inspections.map((n, i) => (n ? counts.ng[i] / n : null)) })),
    latency: inspections
      ? { mean: latencySum.reduce((a, b) => a + b, 0) / inspections, max: Math.max(...latencyMax.map((v) => v ?? 0)) }
      : null,
    latencyMean: latencySum.map((sum, i) => (latencyCount[i] ? sum / latencyCount[i] : null)),
    latencyMax,
    outcomes,
  };
}
