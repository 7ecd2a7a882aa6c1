/**
 * Threshold re-calibration without retraining: from the inspections QA reviewed that this
 * version scored, the expected false-call and escape rates at candidate thresholds, drawn and
 * readable; an admin applies the chosen one (or returns to the calibrated one) with a reason.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ThresholdRate, ThresholdRates } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { AdminAction } from '../components/admin-action.js';
import { ChartCard } from '../dashboard/charts/chart-card.js';
import { formatPercent } from '../format.js';
import { useSession } from '../session/session-context.js';
import { ThresholdChart } from './threshold-chart.js';
import { ThresholdTable } from './threshold-table.js';
import type { VersionRole } from './version-role.js';

interface ThresholdViewProps {
  product: string;
  version: string;
  role: VersionRole;
  revision: number;
}

const raw = (value: number) => value.toPrecision(4);

export function ThresholdView({ product, version, role, revision }: ThresholdViewProps) {
  const { api } = useSession();
  const [applied, setApplied] = useState(0);
  const rates = useLoad(() => api.thresholdRates(product, version), [api, product, version, revision, applied]);
  const [selected, setSelected] = useState<number | null>(null);
  const [typed, setTyped] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const data = rates.data;
  const select = (threshold: number) => {
    setSelected(threshold);
    setTyped(raw(threshold));
  };
  useEffect(() => {
    if (data) select(data.currentThreshold);
  }, [data?.currentThreshold]);
  const listed = data?.rates.find((rate) => rate.threshold === selected) ?? null;
  // a typed threshold that is not a candidate is evaluated on its own
  const typedRates = useLoad(
    () => (selected !== null && data && !listed ? api.thresholdRates(product, version, [selected]) : Promise.resolve(null)),
    [api, product, version, selected, listed === null, applied],
  );

  if (rates.error && !data) {
    return (
      <p class="form-error" role="alert">
        {rates.error.message}
      </p>
    );
  }
  if (!data) return <p class="muted">Loading the rates…</p>;

  const rate = listed ?? typedRates.data?.rates[0] ?? null;
  // the slider sits at the candidate nearest the selected threshold
  const index = selected === null ? 0 : data.rates.reduce((best, r, i) => (Math.abs(r.threshold - selected) < Math.abs(data.rates[best].threshold - selected) ? i : best), 0);
  const tooLow = selected !== null && !(selected > data.center);
  const overridden = data.currentThreshold !== data.calibratedThreshold;
  const decides = role === 'active' ? 'New inspections are decided with it at once.' : 'It is used whenever this version scores: in shadow mode, or once active.';
  const apply = async (threshold: number | null, reason: string) => {
    const result = await api.setThreshold(product, version, threshold, reason);
    setNotice(`${result.overridden ? 'Applied' : 'Back to the calibrated threshold'}: ${raw(result.threshold)}. ${decides}`);
    setApplied((n) => n + 1);
  };
  const noReviews = data.reviewed.good + data.reviewed.defect === 0;

  return (
    <div class="threshold-layout">
      <div class="threshold-main">
        <ChartCard
          title="Expected rates by threshold"
          subtitle={`From ${data.reviewed.good} reviewed good and ${data.reviewed.defect} reviewed defective parts this version scored`}
          legend={[
            { label: 'False-call rate (good parts called NG)', swatch: 'series-false-call' },
            { label: 'Escape rate (defective parts called OK)', swatch: 'series-escape' },
          ]}
          empty={noReviews ? 'No reviewed inspections scored by this version yet' : null}
        >
          <ThresholdChart rates={data.rates} calibrated={data.calibratedThreshold} current={data.currentThreshold} selected={selected} onSelect={select} />
        </ChartCard>
        {!noReviews && <ThresholdTable data={data} selected={selected} onSelect={select} />}
      </div>
      <section class="panel threshold-panel" aria-labelledby="threshold-heading">
        <h2 id="threshold-heading">Choose a threshold</h2>
        <dl class="facts facts-compact">
          <dt>In force</dt>
          <dd class="num">
            {raw(data.currentThreshold)} {overridden ? <span class="badge badge-override">re-calibrated</span> : <span class="muted">(calibrated)</span>}
          </dd>
          <dt>Calibrated</dt>
          <dd class="num">{raw(data.calibratedThreshold)}</dd>
          <dt>Good-part median</dt>
          <dd class="num">{raw(data.center)}</dd>
        </dl>
        <label class="field threshold-slider">
          <span class="field-label">Candidate thresholds (from the reviewed scores)</span>
          <input
            type="range"
            name="candidate"
            min={0}
            max={Math.max(0, data.rates.length - 1)}
            step={1}
            value={index}
            disabled={data.rates.length === 0}
            onInput={(e) => select(data.rates[Number(e.currentTarget.value)].threshold)}
            aria-valuetext={rate ? describe(rate, data) : undefined}
          />
        </label>
        <label class="field">
          <span class="field-label">Threshold (raw score)</span>
          <input
            type="number"
            name="threshold"
            step="any"
            value={typed}
            onInput={(e) => setTyped(e.currentTarget.value)}
            onChange={(e) => {
              const value = Number(e.currentTarget.value);
              if (e.currentTarget.value.trim() !== '' && Number.isFinite(value)) setSelected(value);
            }}
            aria-invalid={tooLow ? 'true' : undefined}
            aria-describedby="threshold-readout"
          />
        </label>
        <div id="threshold-readout" class="threshold-readout" role="status" aria-live="polite">
          {tooLow ? (
            <p class="field-error">A threshold must lie above the good-part median ({raw(data.center)}): lower would call about half the good parts NG.</p>
          ) : rate ? (
            <>
              <p>
                <span class="readout-label">False calls</span>{' '}
                {rate.falseCallRate === null ? <span class="muted">no reviewed good parts</span> : `${rate.falseCalls} of ${data.reviewed.good} (${formatPercent(rate.falseCallRate)})`}
              </p>
              <p>
                <span class="readout-label">Escapes</span>{' '}
                {rate.escapeRate === null ? <span class="muted">no reviewed defects</span> : `${rate.escapes} of ${data.reviewed.defect} (${formatPercent(rate.escapeRate)})`}
              </p>
              {rate.threshold !== data.currentThreshold && (
                <p class="muted small">
                  A part scoring {(0.5 * ((rate.threshold - data.center) / (data.currentThreshold - data.center))).toFixed(2)} today sits at this threshold: it would
                  score 0.50 after applying it.
                </p>
              )}
            </>
          ) : (
            <p class="muted">Evaluating…</p>
          )}
        </div>
        <p class="muted small">These rates are conditional on what QA reviewed (mostly NG calls): they rank thresholds rather than predict the line's rates.</p>
        <div class="button-row">
          <AdminAction
            label="Apply threshold…"
            class="button-primary"
            disabled={selected === null || tooLow || selected === data.currentThreshold}
            disabledReason={tooLow ? 'Below the good-part median' : 'Already in force'}
            dialogTitle={`Apply threshold ${selected === null ? '' : raw(selected)}`}
            confirmLabel="Apply threshold"
            onConfirm={(reason) => apply(selected, reason)}
          >
            <p>
              {product}/{version} will call parts NG from a raw score of <strong class="num">{selected === null ? '' : raw(selected)}</strong> instead of{' '}
              <span class="num">{raw(data.currentThreshold)}</span>. {decides}
            </p>
          </AdminAction>
          <AdminAction
            label="Reset to calibrated…"
            disabled={!overridden}
            disabledReason="The calibrated threshold is in force"
            dialogTitle="Reset to the calibrated threshold"
            confirmLabel="Reset"
            onConfirm={(reason) => apply(null, reason)}
          >
            <p>
              {product}/{version} returns to its calibrated threshold <strong class="num">{raw(data.calibratedThreshold)}</strong>. {decides}
            </p>
          </AdminAction>
        </div>
        {notice && (
          <p class="review-status review-status-saved" role="status">
            {notice}
          </p>
        )}
      </section>
    </div>
  );
}

function describe(rate: ThresholdRate, data: ThresholdRates): string {
  const part = (value: number | null, what: string) => (value === null ? `no reviewed ${what}` : `${formatPercent(value)} ${what}`);
  return `${raw(rate.threshold)}: ${part(rate.falseCallRate, 'false calls')}, ${part(rate.escapeRate, 'escapes')}${rate.threshold === data.currentThreshold ? ', in force' : ''}`;
}
