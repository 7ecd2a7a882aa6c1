/**
 * One inspection, for review: the image with its heatmap and regions, the score against the
 * threshold, the verdict buttons, and next/previous through the queue the list was filtered to
 * (the filter rides along in the URL). Moving on waits for a verdict still being recorded, and
 * stays put if it failed, so no verdict is lost to a fast keyboard.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ReviewVerdict } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { DecisionBadge, LegalHoldBadge } from '../components/badges.js';
import { ScoreBar, SCORE_THRESHOLD } from '../components/score-bar.js';
import { formatBytes, formatCount, formatTime } from '../format.js';
import { describeFilter, filterFromSearch, filterToSearch } from '../inspections/filters.js';
import { useShortcuts } from '../keyboard/use-shortcuts.js';
import { usePersistentState } from '../persistent-state.js';
import { partPath } from '../parts/part-path.js';
import { Link, navigate } from '../routing/router.js';
import { useSession } from '../session/session-context.js';
import { VERDICTS } from '../verdicts.js';
import { GoodSetAction } from './good-set-action.js';
import { ImageViewer } from './image-viewer.js';
import { QualityPanel } from './quality-panel.js';
import { ReviewPanel, type ReviewStatus } from './review-panel.js';
import { TimingsBar } from './timings-bar.js';
import { useGoodSet } from './use-good-set.js';
import { ViewerControls } from './viewer-controls.js';
import { BackLink } from '../components/back-link.js';

const OPACITY_STEP = 0.1;

export function InspectionDetailPage({ id, search }: { id: string; search: URLSearchParams }) {
  const { api } = useSession();
  const queue = filterToSearch(filterFromSearch(search)).toString();
  const filter = useMemo(() => filterFromSearch(new URLSearchParams(queue)), [queue]);
  const inspection = useLoad(() => api.inspection(id), [api, id]);
  const neighbors = useLoad(() => api.neighbors(id, filter), [api, id, queue]);

  const [showHeatmap, setShowHeatmap] = usePersistentState<boolean>('heatmap', true);
  const [opacity, setOpacity] = usePersistentState<number>('opacity', 0.45);
  const [showRegions, setShowRegions] = usePersistentState<boolean>('regions', true);
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState<ReviewVerdict | null>(null);
  const [status, setStatus] = useState<ReviewStatus | null>(null);
  /** Resolves to whether the verdict being recorded was recorded. */
  const pendingReview = useRef<Promise<boolean> | null>(null);
  const noteField = useRef<HTMLTextAreaElement>(null);
  const goodSet = useGoodSet(inspection.data, inspection.reload);

  const record = (verdict: ReviewVerdict) => {
    if (pendingReview.current || !inspection.data) return;
    const label = VERDICTS.find((choice) => choice.verdict === verdict)!.label;
    setSaving(verdict);
    setStatus(null);
    pendingReview.current = api
      .review(id, verdict, note)
      .then(
        () => {
          setNote('');
          setStatus({ kind: 'saved', text: `Recorded: ${label}.` });
          inspection.reload();
          return true;
        },
        (error: Error) => {
          setStatus({ kind: 'error', text: `Not recorded: ${error.message}` });
          return false;
        },
      )
      .finally(() => {
        setSaving(null);
        pendingReview.current = null;
      });
  };

  const detailPath = (target: string) => `/inspections/${target}${queue ? `?${queue}` : ''}`;
  const go = async (target: string | null | undefined) => {
    if (!target) return;
    if (pendingReview.current && !(await pendingReview.current)) return;
    navigate(detailPath(target));
  };
  const next = neighbors.data?.next;
  const previous = neighbors.data?.previous;
  const clampOpacity = (value: number) => Math.round(Math.min(1, Math.max(0, value)) * 100) / 100;

  useShortcuts({
    ...Object.fromEntries(VERDICTS.map((choice) => [choice.key, () => record(choice.verdict)])),
    j: () => void go(next),
    ArrowRight: () => void go(next),
    k: () => void go(previous),
    ArrowLeft: () => void go(previous),
    h: () => setShowHeatmap(!showHeatmap),
    o: () => setShowRegions(!showRegions),
    '[': () => setOpacity(clampOpacity(opacity - OPACITY_STEP)),
    ']': () => setOpacity(clampOpacity(opacity + OPACITY_STEP)),
    n: () => noteField.current?.focus(),
    a: goodSet.add,
  });

  // The next picture is most likely wanted next: warm the browser cache while this one is read.
  useEffect(() => {
    if (!next) return;
    for (const file of ['image', 'heatmap']) api.blob(`/api/v1/inspections/${next}/${file}`).catch(() => undefined);
  }, [api, next]);

  const data = inspection.data;
  return (
    <div class="page detail-page">
      <header class="detail-header">
        <div class="detail-title">
          <BackLink to={`/inspections${queue ? `?${queue}` : ''}`} label="Inspections" />
          <h1>
            Inspection <span class="mono">{id}</span>
          </h1>
        </div>
        <nav class="queue-nav" aria-label="Queue">
          <span class="queue-summary">
            Queue: <strong>{describeFilter(filter)}</strong>
            {neighbors.data && (
              <span class="muted">
                {' '}
                · {formatCount(neighbors.data.newer)}
                {neighbors.data.newerCapped && '+'} newer, {formatCount(neighbors.data.older)}
                {neighbors.data.olderCapped && '+'} older
              </span>
            )}
          </span>
          <button type="button" class="button" disabled={!previous} onClick={() => void go(previous)} aria-keyshortcuts="k ArrowLeft">
            ← Previous <kbd>k</kbd>
          </button>
          <button type="button" class="button button-primary" disabled={!next} onClick={() => void go(next)} aria-keyshortcuts="j ArrowRight">
            Next <kbd>j</kbd> →
          </button>
        </nav>
      </header>
      {inspection.error && !data && (
        <p class="form-error" role="alert">
          {inspection.error.message}
        </p>
      )}
      {data && (
        <div class="detail-layout">
          <section class="panel viewer-panel" aria-label="Image">
            <ViewerControls
              showHeatmap={showHeatmap}
              onShowHeatmap={setShowHeatmap}
              opacity={opacity}
              onOpacity={(value) => setOpacity(clampOpacity(value))}
              showRegions={showRegions}
              onShowRegions={setShowRegions}
              regionCount={data.regions.length}
            />
            <ImageViewer inspection={data} showHeatmap={showHeatmap} opacity={opacity} showRegions={showRegions} />
          </section>
          <aside class="detail-side" aria-label="Inspection details">
            <section class="panel decision-panel" aria-label="Decision">
              <div class="decision-row">
                <DecisionBadge decision={data.decision} large />
                <div class="decision-score">
                  <span class="field-label">Score (NG at {SCORE_THRESHOLD})</span>
                  <ScoreBar score={data.score} size="large" />
                </div>
              </div>
              <p class="muted small">
                Raw energy {data.rawScore.toPrecision(4)} against the model's threshold {data.threshold.toPrecision(4)}
              </p>
            </section>
            <ReviewPanel inspection={data} note={note} onNote={setNote} noteRef={noteField} saving={saving} status={status} onVerdict={record}>
              <GoodSetAction inspection={data} goodSet={goodSet} />
            </ReviewPanel>
            <section class="panel" aria-labelledby="facts-heading">
              <h2 id="facts-heading">Details</h2>
              <dl class="facts">
                <dt>Time</dt>
                <dd>{formatTime(data.createdAt)}</dd>
                <dt>Product</dt>
                <dd>{data.product}</dd>
                <dt>Line · camera</dt>
                <dd>
                  {data.line ?? '–'} · {data.camera ?? '–'}
                </dd>
                {(data.part !== null || data.lot !== null || data.station !== null) && (
                  <>
                    <dt>Part · view</dt>
                    <dd>
                      {data.part === null ? '–' : data.partRecord ? <Link to={partPath(data.partRecord.product, data.part, data.partRecord.pass)}>{data.part}</Link> : data.part}
                      {data.view ? ` · ${data.view}` : ''}
                      {data.legalHold && <LegalHoldBadge />}
                    </dd>
                    <dt>Lot · station</dt>
                    <dd>
                      {data.lot ?? '–'} · {data.station ?? '–'}
                    </dd>
                  </>
                )}
                {Object.keys(data.attributes).length > 0 && (
                  <>
                    <dt>Attributes</dt>
                    <dd>
                      {Object.entries(data.attributes).map(([name, value]) => (
                        <span key={name} class="region-chip">
                          {name}: {value}
                        </span>
                      ))}
                    </dd>
                  </>
                )}
                <dt>Model</dt>
                <dd>
                  <Link to={`/models/${encodeURIComponent(data.product)}/${encodeURIComponent(data.modelVersion)}`}>{data.modelVersion}</Link>
                </dd>
                <dt>Image</dt>
                <dd>
                  {data.image.width}×{data.image.height} {data.image.format.toUpperCase()}, {formatBytes(data.image.bytes)}
                </dd>
                <dt>Regions</dt>
                <dd>
                  {data.regions.length === 0
                    ? 'none'
                    : data.regions.map((region, i) => (
                        <span key={i} class="region-chip">
                          #{i + 1} peak {region.peak.toFixed(2)} · {region.area} px
                        </span>
                      ))}
                </dd>
              </dl>
            </section>
            <QualityPanel inspectionId={data.id} />
            <section class="panel" aria-labelledby="timings-heading">
              <h2 id="timings-heading">Timings</h2>
              <TimingsBar timings={data.timings} />
            </section>
          </aside>
        </div>
      )}
    </div>
  );
}
