/**
 * One view of a part: its image with the heatmap, the model's decision and score, and QA's verdict
 * on this view alone (the same review as on the inspection's own page). A view that never arrived
 * says so.
 */
import { useState } from 'preact/hooks';
import type { PartView, ReviewVerdict } from '../api/types.js';
import { DecisionBadge, ReviewBadge } from '../components/badges.js';
import { ScoreBar } from '../components/score-bar.js';
import { ImageViewer } from '../detail/image-viewer.js';
import { FITS_DECISION } from '../detail/review-panel.js';
import { Link } from '../routing/router.js';
import { useSession } from '../session/session-context.js';
import { VERDICTS } from '../verdicts.js';

interface PartViewCardProps {
  view: PartView;
  showHeatmap: boolean;
  opacity: number;
  onReviewed(): void;
}

export function PartViewCard({ view, showHeatmap, opacity, onReviewed }: PartViewCardProps) {
  const { api } = useSession();
  const [saving, setSaving] = useState<ReviewVerdict | null>(null);
  const [error, setError] = useState<string | null>(null);
  // the latest image of the view; a view sent twice counts twice in the part's verdict
  const inspection = view.inspections.at(-1);
  const headingId = `view-${view.name}`;

  const record = (verdict: ReviewVerdict) => {
    if (!inspection) return;
    setSaving(verdict);
    setError(null);
    api
      .review(inspection.id, verdict, '')
      .then(onReviewed, (failure: Error) => setError(`Not recorded: ${failure.message}`))
      .finally(() => setSaving(null));
  };

  return (
    <section class="panel part-view" aria-labelledby={headingId} data-view={view.name}>
      <div class="panel-heading">
        <h2 id={headingId}>{view.name}</h2>
        {inspection ? <DecisionBadge decision={inspection.decision} /> : <span class="badge badge-pending">Missing</span>}
      </div>
      {!inspection ? (
        <div class="viewer part-view-missing" role="note">
          This view never arrived.
        </div>
      ) : (
        <>
          <ImageViewer inspection={inspection} showHeatmap={showHeatmap} opacity={opacity} showRegions />
          <div class="part-view-facts">
            <ScoreBar score={inspection.score} />
            <ReviewBadge state={inspection.reviewState} />
            <Link to={`/inspections/${inspection.id}`} class="small">
              Open inspection
            </Link>
          </div>
          {view.inspections.length > 1 && <p class="muted small">Sent {view.inspections.length} times; the latest is shown, all count.</p>}
          <div class="verdicts verdicts-compact" role="group" aria-label={`Verdict on ${view.name}`}>
            {VERDICTS.map((choice) => (
              <button
                key={choice.verdict}
                type="button"
                class={`verdict verdict-${choice.verdict.replace('_', '-')}${FITS_DECISION[inspection.decision].includes(choice.verdict) ? ' verdict-fits' : ''}`}
                aria-pressed={inspection.reviewState === choice.verdict}
                disabled={saving !== null}
                title={choice.meaning}
                onClick={() => record(choice.verdict)}
              >
                <span class="verdict-label">{saving === choice.verdict ? 'Recording…' : choice.label}</span>
              </button>
            ))}
          </div>
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
    </section>
  );
}
