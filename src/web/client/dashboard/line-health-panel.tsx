/**
 * Line health on the dashboard: a badge per camera (drift, healthy, warming up, or no reference
 * in an old model package) with its open drift events in words; for the chosen camera, the OK-score
 * trend against the threshold and the calibration band, and each image-quality measure as a share
 * of its calibration median; then the product's recent drift events.
 */
import { useState } from 'preact/hooks';
import type { CameraHealth, HealthTrend } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { formatTime } from '../format.js';
import { Link } from '../routing/router.js';
import { useSession } from '../session/session-context.js';
import { ChartCard } from './charts/chart-card.js';
import { TimeSeriesChart } from './charts/time-series-chart.js';

const TREND_MS = 8 * 3_600_000;
const RECENT_EVENTS = 20;

const STATUS: Record<CameraHealth['status'], { word: string; className: string; title: string }> = {
  drift: { word: 'Drift', className: 'badge-drift', title: 'A drift event is open: see what moved below' },
  healthy: { word: 'Healthy', className: 'badge-healthy', title: "The last window matches the model's calibration" },
  'warming-up': { word: 'Warming up', className: 'badge-warming', title: 'Fewer inspections of the active model than one window in the current shift' },
  'no-reference': { word: 'No reference', className: 'badge-warming', title: 'The model package predates drift watch: only the NG rate is watched' },
};

const QUALITY = [
  { measure: 'brightness', name: 'Brightness', className: 'series-0' },
  { measure: 'contrast', name: 'Contrast', className: 'series-1' },
  { measure: 'focus', name: 'Focus', className: 'series-2' },
  { measure: 'saturation', name: 'Clipped pixels', className: 'series-3' },
] as const;

const cameraName = (c: { line: string | null; camera: string | null }) => `${c.line ? `Line ${c.line}` : 'No line'} · ${c.camera ? `camera ${c.camera}` : 'no camera'}`;
const cameraKey = (c: { line: string | null; camera: string | null }) => `${c.line ?? ''}/${c.camera ?? ''}`;

function HealthBadge({ status }: { status: CameraHealth['status'] }) {
  const { word, className, title } = STATUS[status];
  return (
    <span class={`badge ${className}`} title={title}>
      {word}
    </span>
  );
}

export function LineHealthPanel({ product, line, now }: { product: string; line: string | undefined; now: number }) {
  const { api } = useSession();
  const health = useLoad(() => api.lineHealth(product), [api, product, now]);
  const events = useLoad(() => api.driftEvents(product, RECENT_EVENTS), [api, product, now]);
  const [chosen, setChosen] = useState<string | null>(null);
  const cameras = (health.data?.cameras ?? []).filter((c) => line === undefined || c.line === line);
  const camera = cameras.find((c) => cameraKey(c) === chosen) ?? cameras.find((c) => c.status === 'drift') ?? cameras[0] ?? null;
  const to = new Date(now).toISOString();
  const from = new Date(now - TREND_MS).toISOString();
  const trend = useLoad(
    () => (camera ? api.healthTrend(product, camera.line, camera.camera, from, to) : Promise.resolve(null)),
    [api, product, camera ? cameraKey(camera) : null, now],
  );
  const error = health.error ?? events.error ?? trend.error;

  return (
    <section class="line-health" aria-labelledby="line-health-heading">
      <h2 id="line-health-heading" class="section-heading">
        Line health
      </h2>
      {error && (
        <p class="form-error" role="alert">
          {error.message}
        </p>
      )}
      {health.data && cameras.length === 0 && <p class="panel muted">No camera has sent an inspection of {product} to its active model.</p>}
      {cameras.length > 0 && (
        <ul class="camera-health-list" aria-label="Cameras">
          {cameras.map((c) => (
            <li key={cameraKey(c)} class="panel camera-health">
              <button type="button" class="camera-health-pick" aria-pressed={camera !== null && cameraKey(c) === cameraKey(camera)} onClick={() => setChosen(cameraKey(c))}>
                <HealthBadge status={c.status} />
                <span class="camera-health-name">{cameraName(c)}</span>
                <span class="muted small">
                  {c.frames}/{c.windowSize} frames · model {c.modelVersion ?? '–'}
                </span>
              </button>
              {c.openEvents.map((event) => (
                <p key={event.id} class="drift-explanation">
                  {event.explanation} <span class="muted">Since {formatTime(event.since)}.</span>
                </p>
              ))}
            </li>
          ))}
        </ul>
      )}
      {camera && trend.data && <TrendCharts trend={trend.data} camera={cameraName(camera)} />}
      {events.data && events.data.length > 0 && (
        <div class="panel">
          <h3 class="subheading">Drift events</h3>
          <table class="data-table drift-events">
            <thead>
              <tr>
                <th scope="col">Detected</th>
                <th scope="col">Camera</th>
                <th scope="col">What moved</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {events.data
                .filter((event) => line === undefined || event.line === line)
                .map((event) => (
                  <tr key={event.id}>
                    <td class="nowrap">{formatTime(event.detectedAt)}</td>
                    <td class="nowrap">{cameraName(event)}</td>
                    <td>
                      {event.explanation}{' '}
                      <Link to={`/inspections/${encodeURIComponent(event.inspectionId)}`} class="small">
                        frame
                      </Link>
                    </td>
                    <td class="nowrap">{event.resolvedAt ? `Back at ${formatTime(event.resolvedAt)}` : <strong class="warning-text">Open</strong>}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TrendCharts({ trend, camera }: { trend: HealthTrend; camera: string }) {
  const times = trend.buckets.map((b) => Date.parse(b.start));
  const timeFormat = (t: number) => formatTime(new Date(t).toISOString()).slice(11, 16);
  const empty = trend.buckets.every((b) => b.inspections === 0) ? 'No inspections in the last 8 hours' : null;
  const reference = trend.reference;
  return (
    <div class="chart-grid">
      <ChartCard
        title={`OK-score trend, ${camera}`}
        subtitle={`Mean score of the parts decided OK; the band is where calibration's good parts scored (5th to 95th percentile)`}
        legend={[
          { label: 'OK-score mean', swatch: 'series-mean' },
          ...(trend.calibrationBand ? [{ label: 'Calibration band', swatch: 'swatch-band' }] : []),
        ]}
        empty={empty}
      >
        <TimeSeriesChart
          label={`Mean OK score over time for ${camera}, with the NG threshold and the calibration band`}
          times={times}
          series={[{ name: 'OK-score mean', values: trend.buckets.map((b) => b.okScoreMean), className: 'series-mean' }]}
          yFormat={(v) => v.toFixed(2)}
          timeFormat={timeFormat}
          guides={{
            line: { value: trend.threshold, label: `NG threshold ${trend.threshold}` },
            band: trend.calibrationBand ? { ...trend.calibrationBand, label: 'Calibration band: 5th to 95th percentile of the good parts the model was calibrated on' } : undefined,
          }}
        />
      </ChartCard>
      <ChartCard
        title={`Image quality, ${camera}`}
        subtitle="Each measure as a share of its median on the calibration images: 1 is as calibrated"
        legend={QUALITY.map((q) => ({ label: q.name, swatch: q.className }))}
        empty={reference ? empty : 'Unavailable: the model package predates drift watch and records no calibration reference. Retrain to record one.'}
      >
        {reference && (
          <TimeSeriesChart
            label={`Image quality over time for ${camera}, relative to calibration`}
            times={times}
            series={QUALITY.map((q) => ({
              name: q.name,
              className: q.className,
              values: trend.buckets.map((b) => {
                const value = b.quality[q.measure];
                const median = reference[q.measure];
                return value === null || median === null || median === 0 ? null : value / median;
              }),
            }))}
            yFormat={(v) => v.toFixed(2)}
            minYMax={1.2}
            timeFormat={timeFormat}
            guides={{ line: { value: 1, label: 'as calibrated' } }}
          />
        )}
      </ChartCard>
    </div>
  );
}
