/**
 * What a version said about live traffic while it scored in shadow mode: how often it disagreed
 * with the decision the line got, and the inspections where it did, newest first, each with both
 * decisions and scores and a link to the inspection.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ShadowResult, ShadowResults } from '../api/types.js';
import { AuthorizedImage } from '../components/authorized-image.js';
import { DecisionBadge, ReviewBadge } from '../components/badges.js';
import { ScoreBar } from '../components/score-bar.js';
import { formatCount, formatTime } from '../format.js';
import { Link } from '../routing/router.js';
import { useSession } from '../session/session-context.js';
import type { VersionRole } from './version-role.js';

const PAGE_SIZE = 25;

interface ShadowViewProps {
  product: string;
  version: string;
  role: VersionRole;
  activeVersion: string | null;
  /** Live images not shadow-scored for want of idle time (only while this version is the shadow). */
  dropped: number | null;
  revision: number;
}

export function ShadowView({ product, version, role, activeVersion, dropped, revision }: ShadowViewProps) {
  const { api } = useSession();
  const [onlyDisagreements, setOnlyDisagreements] = useState(true);
  const [page, setPage] = useState<{ summary: ShadowResults['summary']; items: ShadowResult[]; nextBefore: string | null } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(false);
  const [refreshed, setRefreshed] = useState(0);
  /** Answers to an earlier filter that arrive late are dropped. */
  const latestRequest = useRef(0);

  const load = (before: string | null) => {
    const request = ++latestRequest.current;
    setLoading(true);
    return api.shadowResults(product, version, { disagreements: onlyDisagreements, before, limit: PAGE_SIZE }).then(
      (result) => {
        if (request !== latestRequest.current) return;
        setError(null);
        setPage((current) => ({ summary: result.summary, items: before && current ? [...current.items, ...result.items] : result.items, nextBefore: result.nextBefore }));
      },
      (failure: Error) => setError(failure),
    ).finally(() => setLoading(false));
  };
  useEffect(() => {
    void load(null);
  }, [api, product, version, onlyDisagreements, revision, refreshed]);

  const summary = page?.summary;
  return (
    <div class="shadow-layout">
      <section class="kpis kpis-4" aria-label="Shadow scoring">
        <div class="kpi">
          <span class="kpi-label">Scored in shadow</span>
          <span class="kpi-value">{summary ? formatCount(summary.scored) : '–'}</span>
          <span class="kpi-detail">{role === 'shadow' ? `live, beside ${activeVersion ?? 'the active version'}` : 'not in shadow mode now'}</span>
        </div>
        <div class="kpi kpi-warn">
          <span class="kpi-label">Disagreements</span>
          <span class="kpi-value">{summary ? formatCount(summary.disagreements) : '–'}</span>
          <span class="kpi-detail">{summary && summary.scored > 0 ? `${((summary.disagreements / summary.scored) * 100).toFixed(1)}% of scored parts` : 'decided otherwise'}</span>
        </div>
        <div class="kpi kpi-ng">
          <span class="kpi-label">Shadow NG, line OK</span>
          <span class="kpi-value">{summary ? formatCount(summary.shadowOnlyNg) : '–'}</span>
          <span class="kpi-detail">would stop more parts</span>
        </div>
        <div class="kpi kpi-missed">
          <span class="kpi-label">Shadow OK, line NG</span>
          <span class="kpi-value">{summary ? formatCount(summary.shadowOnlyOk) : '–'}</span>
          <span class="kpi-detail">would pass more parts</span>
        </div>
      </section>
      {role === 'shadow' && dropped !== null && dropped > 0 && (
        <p class="small warning-text">{formatCount(dropped)} live images were not shadow-scored: the server had no idle time for them.</p>
      )}
      <section class="panel list-panel" aria-labelledby="shadow-list-heading" aria-busy={loading}>
        <div class="list-toolbar">
          <h2 id="shadow-list-heading" class="list-count">
            {onlyDisagreements ? 'Where it disagreed' : 'Everything it scored'}
            {page && <span class="muted"> · {page.items.length} shown</span>}
          </h2>
          <div class="list-actions">
            <div class="segmented" role="group" aria-label="Which inspections">
              <button type="button" aria-pressed={onlyDisagreements} onClick={() => setOnlyDisagreements(true)}>
                Disagreements
              </button>
              <button type="button" aria-pressed={!onlyDisagreements} onClick={() => setOnlyDisagreements(false)}>
                All scored
              </button>
            </div>
            <button type="button" class="button" onClick={() => setRefreshed((n) => n + 1)}>
              Refresh
            </button>
          </div>
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error.message}
          </p>
        )}
        {page && page.items.length === 0 && (
          <p class="empty-list muted">
            {summary && summary.scored === 0
              ? role === 'shadow'
                ? 'Nothing scored yet: shadow results appear as the line sends images.'
                : 'This version has not scored live traffic in shadow mode.'
              : 'No disagreements: the shadow version decided every scored part as the line did.'}
          </p>
        )}
        {page && page.items.length > 0 && <ShadowTable items={page.items} />}
        {page?.nextBefore && (
          <div class="list-more">
            <button type="button" class="button" disabled={loading} onClick={() => void load(page.nextBefore)}>
              Show older
            </button>
          </div>
        )}
      </section>
    </div>
  );
}

function ShadowTable({ items }: { items: ShadowResult[] }) {
  return (
    <table class="inspection-table shadow-table">
      <caption class="visually-hidden">Inspections scored in shadow mode, newest first, with the decision the line got and the shadow version's</caption>
      <thead>
        <tr>
          <th scope="col">Overlay</th>
          <th scope="col">Time</th>
          <th scope="col">Line · camera</th>
          <th scope="col">Line got</th>
          <th scope="col">Shadow would say</th>
          <th scope="col">Review</th>
        </tr>
      </thead>
      <tbody>
        {items.map(({ inspection, shadow }) => (
          <tr key={inspection.id} class="shadow-row" data-id={inspection.id}>
            <td class="cell-thumb">
              <Link to={`/inspections/${inspection.id}`} class="thumb-link">
                <AuthorizedImage class="thumb" path={`/api/v1/inspection-thumbnails/${inspection.id}`} alt={`Inspection ${inspection.id}`} />
              </Link>
            </td>
            <td class="cell-time">
              <Link class="row-link" to={`/inspections/${inspection.id}`}>
                {formatTime(inspection.createdAt)}
              </Link>
            </td>
            <td>
              {inspection.line ?? '–'} · {inspection.camera ?? '–'}
            </td>
            <td>
              <span class="decision-pair">
                <DecisionBadge decision={inspection.decision} />
                <ScoreBar score={inspection.score} />
                <span class="muted small mono">{inspection.modelVersion}</span>
              </span>
            </td>
            <td>
              <span class="decision-pair">
                <DecisionBadge decision={shadow.decision} />
                <ScoreBar score={shadow.score} />
              </span>
            </td>
            <td>
              <ReviewBadge state={inspection.reviewState} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
