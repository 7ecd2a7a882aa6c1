/** One model version as a card: its place in the lifecycle, calibration, validation metrics, and the way to its details. */
import type { ModelSummary } from '../api/types.js';
import { formatInput, formatPercent, formatTime } from '../format.js';
import { Link } from '../routing/router.js';
import { VersionRoleBadge, type VersionRole } from './version-role.js';

/** Metrics that are fractions in [0, 1] are drawn as bars; others are printed. */
const isFraction = (value: number) => value >= 0 && value <= 1;

export function ModelCard({ model, role }: { model: ModelSummary; role: VersionRole }) {
  const metrics = Object.entries(model.metrics).sort(([a], [b]) => a.localeCompare(b));
  const base = `/models/${encodeURIComponent(model.product)}/${encodeURIComponent(model.version)}`;
  return (
    <article class={`panel model-card model-card-${role}`} aria-label={`${model.product} ${model.version}, ${role}`}>
      <header class="model-card-header">
        <h3 class="mono">{model.version}</h3>
        <VersionRoleBadge role={role} />
      </header>
      <p class="muted small">
        {model.method} · {model.backbone} · trained {formatTime(model.createdAt).slice(0, 16)}
      </p>
      <h4 class="subheading">Calibration</h4>
      <dl class="facts facts-compact">
        <dt>Image threshold</dt>
        <dd class="num">{model.calibration.imageThreshold.toPrecision(4)}</dd>
        <dt>Pixel threshold</dt>
        <dd class="num">{model.calibration.pixelThreshold.toPrecision(4)}</dd>
        <dt>Expected false calls</dt>
        <dd class="num">{formatPercent(model.calibration.expectedFalseCallRate, 2)}</dd>
        <dt>Rule</dt>
        <dd>{model.calibration.rule}</dd>
        <dt>Input</dt>
        <dd>
          {formatInput(model.input)}
        </dd>
      </dl>
      <h4 class="subheading">Validation</h4>
      {metrics.length === 0 ? (
        <p class="muted small">No validation metrics were recorded for this version.</p>
      ) : (
        <ul class="metric-list">
          {metrics.map(([name, value]) => (
            <li key={name} class="metric">
              <span class="metric-name" title={name}>
                {name}
              </span>
              {isFraction(value) && (
                <span class="metric-track" aria-hidden="true">
                  <span class="metric-fill" style={{ width: `${value * 100}%` }} />
                </span>
              )}
              <span class="metric-value num">{isFraction(value) ? value.toFixed(3) : value.toPrecision(4)}</span>
            </li>
          ))}
        </ul>
      )}
      <nav class="card-links" aria-label={`Version ${model.version}`}>
        <Link to={base}>Comparison</Link>
        <Link to={`${base}/shadow`}>Shadow</Link>
        <Link to={`${base}/threshold`}>Threshold</Link>
      </nav>
    </article>
  );
}
