/**
 * A trained version beside the version it would replace, on the same validation material:
 * held-out good parts of the new set and the product's reviewed inspections. Each metric is
 * judged better, same or worse; the server's verdict and its reasons lead.
 */
import type { JSX } from 'preact';
import { ApiError } from '../api/kensa-api.js';
import type { Comparison, EvaluationMetrics } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { formatCount, formatPercent, formatTime } from '../format.js';
import { Link } from '../routing/router.js';
import { useSession } from '../session/session-context.js';

type Judgement = 'better' | 'worse' | 'same';

interface MetricRow {
  label: string;
  hint: string;
  value(metrics: EvaluationMetrics): JSX.Element | string;
  /** Lower or higher is better; absent for counts that only describe the material. */
  judge?(candidate: EvaluationMetrics, baseline: EvaluationMetrics): Judgement | null;
}

const AUROC_TOLERANCE = 0.005;

function compare(mine: number | null, theirs: number | null, higherIsBetter: boolean, tolerance = 0): Judgement | null {
  if (mine === null || theirs === null) return null;
  const difference = higherIsBetter ? mine - theirs : theirs - mine;
  return difference > tolerance ? 'better' : difference < -tolerance ? 'worse' : 'same';
}

function countWithRate(count: number, rate: number | null) {
  return (
    <span class="count-rate">
      <span class="num">{formatCount(count)}</span>
      {rate !== null && (
        <>
          <span class="rate-track" aria-hidden="true">
            <span class="rate-fill" style={{ width: `${Math.min(1, rate) * 100}%` }} />
          </span>
          <span class="muted num">{formatPercent(rate)}</span>
        </>
      )}
    </span>
  );
}

const ROWS: readonly MetricRow[] = [
  { label: 'False calls', hint: 'good parts called NG', value: (m) => countWithRate(m.falseCalls, m.falseCallRate), judge: (c, b) => compare(c.falseCalls, b.falseCalls, false) },
  { label: 'Escapes', hint: 'defective parts called OK', value: (m) => countWithRate(m.escapes, m.escapeRate), judge: (c, b) => compare(c.escapes, b.escapes, false) },
  { label: 'AUROC', hint: 'how well scores separate good from defective, 1 is perfect', value: (m) => (m.auroc === null ? '–' : m.auroc.toFixed(3)), judge: (c, b) => compare(c.auroc, b.auroc, true, AUROC_TOLERANCE) },
  { label: 'Good parts', hint: 'scored', value: (m) => formatCount(m.goodImages) },
  { label: 'Defective parts', hint: 'scored', value: (m) => formatCount(m.defectImages) },
  { label: 'Threshold', hint: 'raw score, the version’s own', value: (m) => m.threshold.toPrecision(4) },
];

export function ComparisonView({ product, version, revision }: { product: string; version: string; revision: number }) {
  const { api } = useSession();
  const comparison = useLoad(() => api.comparison(product, version), [api, product, version, revision]);
  if (comparison.error && !comparison.data) {
    const missing = comparison.error instanceof ApiError && comparison.error.status === 404;
    return (
      <section class="panel" role={missing ? undefined : 'alert'}>
        <h2>{missing ? 'No comparison for this version' : 'The comparison could not be loaded'}</h2>
        <p class="muted">{comparison.error instanceof ApiError ? comparison.error.detail || comparison.error.title : comparison.error.message}</p>
      </section>
    );
  }
  if (!comparison.data) return <p class="muted">Loading the comparison…</p>;
  return <ComparisonPanels comparison={comparison.data} />;
}

function ComparisonPanels({ comparison }: { comparison: Comparison }) {
  const { candidate, baseline, verdict, material } = comparison;
  return (
    <div class="comparison-layout">
      <section class="panel" aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">Side by side</h2>
        <table class="data-table comparison-table">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              {baseline && (
                <th scope="col">
                  <span class="column-role">Was active</span> <span class="mono">{baseline.version}</span>
                </th>
              )}
              <th scope="col">
                <span class="column-role">This version</span> <span class="mono">{candidate.version}</span>
              </th>
              {baseline && <th scope="col">Change</th>}
            </tr>
          </thead>
          <tbody>
            {ROWS.map((row) => {
              const judgement = baseline && row.judge ? row.judge(candidate.metrics, baseline.metrics) : null;
              return (
                <tr key={row.label}>
                  <th scope="row">
                    {row.label}
                    <span class="row-hint">{row.hint}</span>
                  </th>
                  {baseline && <td>{row.value(baseline.metrics)}</td>}
                  <td class="candidate-cell">{row.value(candidate.metrics)}</td>
                  {baseline && <td>{judgement && <span class={`judgement judgement-${judgement}`}>{judgement}</span>}</td>}
                </tr>
              );
            })}
          </tbody>
        </table>
        <p class="muted small comparison-footnote">
          Each version decides at its own threshold. Evaluated {formatTime(comparison.evaluatedAt)}
          {comparison.job && (
            <>
              {' '}
              by <Link to={`/training/${comparison.job}`}>training job {comparison.job}</Link>
            </>
          )}
          .
        </p>
      </section>
      <div class="comparison-side">
        <section class={`panel verdict-panel verdict-${baseline ? (verdict.notWorse ? 'good' : 'bad') : 'none'}`} aria-labelledby="verdict-heading">
          <h2 id="verdict-heading">
            {!baseline ? 'Nothing to compare with' : verdict.notWorse ? `Not worse than ${baseline.version}` : `Worse than ${baseline.version}`}
          </h2>
          <ul class="reason-list">
            {verdict.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          {baseline && comparison.activeVersion !== baseline.version && (
            <p class="small warning-text">
              The active version is now {comparison.activeVersion ?? 'none'}; this comparison was made against {baseline.version}.
            </p>
          )}
        </section>
        <section class="panel" aria-labelledby="material-heading">
          <h2 id="material-heading">Validation material</h2>
          <p class="muted small">The same images for both versions.</p>
          <dl class="material">
            <div>
              <dt>Held-out good parts</dt>
              <dd class="num">{formatCount(material.heldOutGood)}</dd>
            </div>
            <div>
              <dt>Reviewed good parts</dt>
              <dd class="num">{formatCount(material.reviewedGood)}</dd>
            </div>
            <div>
              <dt>Reviewed defects</dt>
              <dd class="num">{formatCount(material.reviewedDefect)}</dd>
            </div>
          </dl>
        </section>
      </div>
    </div>
  );
}
