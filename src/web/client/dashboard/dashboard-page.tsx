/**
 * Line health for one product: headline rates, then pictures: NG rate per line over time, the
 * score distribution against the threshold, review outcomes over time, and latency. Product,
 * line and time range are in the URL.
 */
import { useState } from 'preact/hooks';
import type { Facets } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { ProductSelect } from '../components/product-select.js';
import { SCORE_THRESHOLD } from '../components/score-bar.js';
import { formatCount, formatMs, formatPercent, formatTime } from '../format.js';
import { navigate } from '../routing/router.js';
import { useSession } from '../session/session-context.js';
import { ChartCard } from './charts/chart-card.js';
import { HistogramChart } from './charts/histogram-chart.js';
import { LineHealthPanel } from './line-health-panel.js';
import { StackedColumnsChart } from './charts/stacked-columns-chart.js';
import { TimeSeriesChart } from './charts/time-series-chart.js';
import { BUCKET_MS, summarize, type Bucket } from './stats-summary.js';

const RANGES: readonly { id: string; label: string; ms: number; bucket: Bucket }[] = [
  { id: '8h', label: '8 hours', ms: 8 * 3_600_000, bucket: 'hour' },
  { id: '24h', label: '24 hours', ms: 24 * 3_600_000, bucket: 'hour' },
  { id: '7d', label: '7 days', ms: 7 * 86_400_000, bucket: 'hour' },
  { id: '30d', label: '30 days', ms: 30 * 86_400_000, bucket: 'day' },
];
const LINE_COLOURS = 6;
const OUTCOME_STACKS = [
  { outcome: 'true_defect', name: 'True defect', className: 'series-true-defect' },
  { outcome: 'false_alarm', name: 'False alarm', className: 'series-false-alarm' },
  { outcome: 'missed_defect', name: 'Missed defect', className: 'series-missed-defect' },
  { outcome: 'ok', name: 'OK confirmed', className: 'series-ok' },
] as const;

export function DashboardPage({ search }: { search: URLSearchParams }) {
  const { api } = useSession();
  const products = useLoad(() => api.products(), [api]);
  const facets = useLoad(() => api.facets(), [api]);
  const product = search.get('product') ?? busiestProduct(facets.data) ?? products.data?.[0]?.id ?? null;
  const line = search.get('line') ?? undefined;
  const range = RANGES.find((r) => r.id === search.get('range')) ?? RANGES[1];
  const [now, setNow] = useState(Date.now);
  // The range ends with the current bucket, so the newest bucket is drawn whole.
  const bucketMs = BUCKET_MS[range.bucket];
  const to = new Date(Math.ceil((now + 1) / bucketMs) * bucketMs);
  const from = new Date(to.getTime() - range.ms);
  const stats = useLoad(
    () => (product ? api.stats({ product, line, from: from.toISOString(), to: to.toISOString(), bucket: range.bucket }) : Promise.resolve(null)),
    [api, product, line, range.id, now],
  );
  const summary = stats.data ? summarize(stats.data, range.bucket) : null;

  const show = (next: { product?: string | null; line?: string; range?: string }) => {
    const params = new URLSearchParams();
    const chosenProduct = 'product' in next ? next.product : product;
    if (chosenProduct) params.set('product', chosenProduct);
    const chosenLine = 'line' in next ? next.line : line;
    if (chosenLine) params.set('line', chosenLine);
    params.set('range', next.range ?? range.id);
    navigate(`/dashboard?${params}`, { replace: true });
  };
  const lines = [...new Set((facets.data?.combinations ?? []).filter((c) => c.product === product && c.line !== null).map((c) => c.line!))].sort();
  if (line && !lines.includes(line)) lines.push(line);
  const timeFormat = (t: number) => formatTime(new Date(t).toISOString()).slice(0, 16);
  const empty = summary && summary.inspections === 0 ? 'No inspections in this range' : null;

  return (
    <div class="page page-wide">
      <header class="page-header">
        <div>
          <h1>Dashboard</h1>
          <p class="page-subtitle">
            {product ? `${product}${line ? `, line ${line}` : ', all lines'}` : 'No products yet'} · {formatTime(from.toISOString()).slice(0, 16)} to{' '}
            {formatTime(to.toISOString()).slice(0, 16)}
          </p>
        </div>
        <form class="dashboard-controls" aria-label="Dashboard scope" onSubmit={(event) => event.preventDefault()}>
          <ProductSelect products={products.data} value={product} onChange={(id) => show({ product: id, line: undefined })} />
          <label class="field">
            <span class="field-label">Line</span>
            <select name="line" value={line ?? ''} onChange={(e) => show({ line: e.currentTarget.value || undefined })}>
              <option value="">All lines</option>
              {lines.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <div class="field">
            <span class="field-label" id="range-label">
              Range
            </span>
            <div class="segmented" role="group" aria-labelledby="range-label">
              {RANGES.map((r) => (
                <button key={r.id} type="button" aria-pressed={r.id === range.id} onClick={() => show({ range: r.id })}>
                  {r.label}
                </button>
              ))}
            </div>
          </div>
          <button type="button" class="button" onClick={() => setNow(Date.now())}>
            Refresh
          </button>
        </form>
      </header>
      {(stats.error ?? products.error) && (
        <p class="form-error" role="alert">
          {(stats.error ?? products.error)!.message}
        </p>
      )}
      {summary && (
        <>
          <section class="kpis" aria-label="Headline figures">
            <Kpi label="Inspections" value={formatCount(summary.inspections)} />
            <Kpi label="NG rate" value={summary.ngRate === null ? '–' : formatPercent(summary.ngRate)} detail={`${formatCount(summary.ng)} NG`} tone="ng" />
            <Kpi
              label="False-alarm rate"
              value={summary.falseAlarmRate === null ? '–' : formatPercent(summary.falseAlarmRate)}
              detail="of reviewed NG parts"
              tone="warn"
            />
            <Kpi label="Missed defects" value={formatCount(summary.missedDefects)} detail="found by QA on OK parts" tone="missed" />
            <Kpi label="Reviewed" value={formatCount(summary.reviewed)} detail={summary.inspections ? formatPercent(summary.reviewed / summary.inspections) : undefined} />
            <Kpi label="Latency" value={summary.latency ? formatMs(summary.latency.mean) : '–'} detail={summary.latency ? `mean · worst ${formatMs(summary.latency.max)}` : undefined} />
          </section>
          <div class="chart-grid">
            <ChartCard
              title="NG rate over time"
              subtitle={`Share of parts called NG per ${range.bucket}${line ? '' : ', one line per production line'}`}
              legend={summary.lines.map((s, i) => ({ label: s.line ? `Line ${s.line}` : 'No line', swatch: `series-${i % LINE_COLOURS}` }))}
              empty={empty}
            >
              <TimeSeriesChart
                label="NG rate over time per production line"
                times={summary.times}
                series={summary.lines.map((s, i) => ({ name: s.line ? `Line ${s.line}` : 'No line', values: s.ngRate, className: `series-${i % LINE_COLOURS}` }))}
                yFormat={(v) => formatPercent(v, 0)}
                minYMax={0.1}
                timeFormat={timeFormat}
              />
            </ChartCard>
            <ChartCard
              title="Score distribution"
              subtitle="Inspections per score bin; parts right of the threshold are NG"
              legend={[
                { label: 'OK', swatch: 'bar-ok' },
                { label: 'NG', swatch: 'bar-ng' },
              ]}
              empty={empty}
            >
              <HistogramChart label="Histogram of inspection scores with the NG threshold at 0.5" bins={summary.histogram} threshold={SCORE_THRESHOLD} />
            </ChartCard>
            <ChartCard
              title="Review outcomes"
              subtitle={`QA verdicts on the parts inspected in each ${range.bucket}`}
              legend={OUTCOME_STACKS.map((s) => ({ label: s.name, swatch: s.className }))}
              empty={empty ?? (summary.reviewed === 0 ? 'No reviews in this range yet' : null)}
            >
              <StackedColumnsChart
                label="Review verdicts over time"
                times={summary.times}
                stacks={OUTCOME_STACKS.map((s) => ({ name: s.name, counts: summary.outcomes[s.outcome], className: s.className }))}
                timeFormat={timeFormat}
              />
            </ChartCard>
            <ChartCard
              title="Latency"
              subtitle="Time from upload to answer, mean and worst per bucket"
              legend={[
                { label: 'Mean', swatch: 'series-mean' },
                { label: 'Worst', swatch: 'series-max' },
              ]}
              empty={empty}
            >
              <TimeSeriesChart
                label="Inspection latency over time"
                times={summary.times}
                series={[
                  { name: 'Mean', values: summary.latencyMean, className: 'series-mean' },
                  { name: 'Worst', values: summary.latencyMax, className: 'series-max' },
                ]}
                yFormat={(v) => formatMs(v)}
                timeFormat={timeFormat}
              />
            </ChartCard>
          </div>
        </>
      )}
      {product && <LineHealthPanel product={product} line={line} now={now} />}
    </div>
  );
}

/** The product with the most recent inspections: the one a QA engineer most likely came for. */
function busiestProduct(facets: Facets | null): string | null {
  const counts = new Map<string, number>();
  for (const c of facets?.combinations ?? []) counts.set(c.product, (counts.get(c.product) ?? 0) + c.inspections);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function Kpi({ label, value, detail, tone }: { label: string; value: string; detail?: string; tone?: 'ng' | 'warn' | 'missed' }) {
  return (
    <div class={`kpi${tone ? ` kpi-${tone}` : ''}`}>
      <span class="kpi-label">{label}</span>
      <span class="kpi-value">{value}</span>
      {detail && <span class="kpi-detail">{detail}</span>}
    </div>
  );
}
