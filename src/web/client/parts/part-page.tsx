/**
 * A multi-view part, for review: its verdict and status, every view side by side with its
 * heatmap and verdict, a verdict on the part as a whole, and one per view, and the exports and
 * legal holds of the part and its lot. While the part is still open the page waits on the server
 * for it to close and shows the result by itself.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Part, PartReviewVerdict } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { BackLink } from '../components/back-link.js';
import { LegalHoldBadge, PartVerdictBadge } from '../components/badges.js';
import { ScoreBar, SCORE_THRESHOLD } from '../components/score-bar.js';
import { formatTime } from '../format.js';
import { useShortcuts } from '../keyboard/use-shortcuts.js';
import { usePersistentState } from '../persistent-state.js';
import { Link } from '../routing/router.js';
import { useSession } from '../session/session-context.js';
import { RecordsPanel } from '../traceability/records-panel.js';
import { partPath } from './part-path.js';
import { PartReviewPanel } from './part-review-panel.js';
import { PartViewCard } from './part-view-card.js';

/** How long one wait for an open part lasts before it is asked again. */
const WAIT_SECONDS = 30;

/** The lots its views name (one, as a rule). */
const lotsOf = (part: Part) => [...new Set(part.views.flatMap((view) => view.inspections.map((inspection) => inspection.lot)))].filter((lot): lot is string => lot !== null);

function statusText(part: Part): string {
  if (part.status === 'complete') return `Complete: all ${part.expectedViews.length} views arrived`;
  if (part.status === 'incomplete') return `Incomplete: ${part.missingViews.join(', ')} never arrived`;
  return `Waiting for ${part.missingViews.join(', ')} until ${formatTime(part.deadline)}`;
}

export function PartPage({ product, part: partId, search }: { product: string; part: string; search: URLSearchParams }) {
  const { api } = useSession();
  const requestedPass = Number(search.get('pass')) || null;
  const loaded = useLoad(() => api.part(product, partId, requestedPass), [api, product, partId, requestedPass]);
  const [part, setPart] = useState<Part | null>(null);
  const [showHeatmap, setShowHeatmap] = usePersistentState<boolean>('heatmap', true);
  const [opacity] = usePersistentState<number>('opacity', 0.45);
  useShortcuts({ h: () => setShowHeatmap(!showHeatmap) });

  useEffect(() => setPart(loaded.data), [loaded.data]);
  // an open part: wait for it to close, again and again, as long as the page shows it
  useEffect(() => {
    if (part?.status !== 'open') return;
    let current = true;
    api.part(product, partId, part.pass, WAIT_SECONDS).then(
      (next) => current && setPart(next),
      () => current && loaded.reload(),
    );
    return () => {
      current = false;
    };
  }, [api, product, partId, part]);

  const reviewWhole = async (verdict: PartReviewVerdict, note: string) => setPart(await api.reviewPart(product, partId, part!.pass, verdict, note));

  return (
    <div class="page page-wide part-page">
      <header class="detail-header">
        <div class="detail-title">
          <BackLink to={`/inspections?${new URLSearchParams({ part: partId })}`} label="Inspections" />
          <h1>
            Part <span class="mono">{partId}</span> <span class="muted">· {product}</span>
          </h1>
        </div>
        {part && part.passes > 1 && (
          <nav class="pass-nav" aria-label="Passes">
            {Array.from({ length: part.passes }, (_, i) => i + 1).map((pass) =>
              pass === part.pass ? (
                <span key={pass} class="pass-current" aria-current="page">
                  Pass {pass}
                </span>
              ) : (
                <Link key={pass} to={partPath(product, partId, pass)}>
                  Pass {pass}
                </Link>
              ),
            )}
          </nav>
        )}
      </header>
      {loaded.error && !part && (
        <p class="form-error" role="alert">
          {loaded.error.message}
        </p>
      )}
      {part && (
        <>
          <div class="part-summary">
            <section class="panel part-verdict" aria-label="Part verdict">
              <div class="decision-row">
                <PartVerdictBadge verdict={part.verdict} large />
                <div class="decision-score">
                  <span class="field-label">Worst score (NG at {SCORE_THRESHOLD})</span>
                  {part.worstScore === null ? <span class="muted">–</span> : <ScoreBar score={part.worstScore} size="large" />}
                </div>
                {part.legalHold && <LegalHoldBadge />}
              </div>
              <p class="part-status" role="status">
                {statusText(part)}
              </p>
              <p class="muted small">
                Pass {part.pass} · first view {formatTime(part.openedAt)}
                {part.closedAt ? ` · closed ${formatTime(part.closedAt)}` : ''}
              </p>
            </section>
            <PartReviewPanel part={part} onReview={reviewWhole} />
          </div>
          <RecordsPanel
            // by part id in every product, as holds are: the views are logged under their own products
            exports={[{ subject: `part ${partId}`, selection: { part: partId } }, ...lotsOf(part).map((lot) => ({ subject: `lot ${lot}`, selection: { lot } }))]}
            holds={[{ kind: 'part', value: partId }, ...lotsOf(part).map((lot) => ({ kind: 'lot' as const, value: lot }))]}
            onHoldChanged={loaded.reload}
          />
          <div class="part-toolbar">
            <label class="switch">
              <input type="checkbox" role="switch" name="heatmap" checked={showHeatmap} onChange={(e) => setShowHeatmap(e.currentTarget.checked)} aria-keyshortcuts="h" />
              Heatmaps <kbd>h</kbd>
            </label>
          </div>
          <div class="part-views" style={{ '--views': String(part.views.length) }}>
            {part.views.map((view) => (
              <PartViewCard key={view.name} view={view} showHeatmap={showHeatmap} opacity={opacity} onReviewed={loaded.reload} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
