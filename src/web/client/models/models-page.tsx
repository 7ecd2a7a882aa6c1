/**
 * Model versions per product: which one answers inspections now, how each was calibrated, and how
 * it did on its validation split. Changing the active version and retraining belong to the
 * retraining jobs; the page keeps a marked place for them and offers no controls it cannot honour.
 */
import { useLoad } from '../api/use-load.js';
import type { ModelSummary, Product } from '../api/types.js';
import { formatPercent, formatTime } from '../format.js';
import { useSession } from '../session/session-context.js';

/** Metrics that are fractions in [0, 1] are drawn as bars; others are printed. */
const isFraction = (value: number) => value >= 0 && value <= 1;

export function ModelsPage() {
  const { api } = useSession();
  const products = useLoad(() => api.products(), [api]);
  const models = useLoad(() => api.models(), [api]);
  const error = products.error ?? models.error;

  return (
    <div class="page page-wide">
      <header class="page-header">
        <div>
          <h1>Models</h1>
          <p class="page-subtitle">Versions per product, newest first, with their calibration and validation metrics.</p>
        </div>
      </header>
      {error && (
        <p class="form-error" role="alert">
          {error.message}
        </p>
      )}
      <div class="models-layout">
        <div class="models-products">
          {products.data?.length === 0 && <p class="panel muted">No model packages are registered yet.</p>}
          {(products.data ?? []).map((product) => (
            <ProductModels key={product.id} product={product} versions={(models.data ?? []).filter((m) => m.product === product.id)} />
          ))}
        </div>
        <aside class="panel reserved-panel" aria-labelledby="lifecycle-heading">
          <h2 id="lifecycle-heading">Promotion and retraining</h2>
          <p>
            Promoting a version to active, rolling back, and retraining on new good parts will be managed here once retraining jobs are available on this
            server.
          </p>
          <p class="muted small">
            Until then an administrator activates a version with <code>POST /api/v1/models/&#123;product&#125;/&#123;version&#125;/activate</code> and returns
            to the previous one with <code>POST /api/v1/models/&#123;product&#125;/rollback</code>.
          </p>
        </aside>
      </div>
    </div>
  );
}

function ProductModels({ product, versions }: { product: Product; versions: ModelSummary[] }) {
  return (
    <section class="product-models" aria-labelledby={`product-${product.id}`}>
      <header class="product-header">
        <h2 id={`product-${product.id}`}>{product.id}</h2>
        <span class="muted">
          {product.versions} version{product.versions === 1 ? '' : 's'} · active:{' '}
          <strong>{product.activeVersion ?? 'none'}</strong>
          {product.activeVersion && !product.loaded && <span class="warning-text"> (not loaded)</span>}
        </span>
      </header>
      <div class="version-grid">
        {versions.map((model) => (
          <ModelCard key={model.version} model={model} />
        ))}
      </div>
    </section>
  );
}

function ModelCard({ model }: { model: ModelSummary }) {
  const metrics = Object.entries(model.metrics).sort(([a], [b]) => a.localeCompare(b));
  return (
    <article class={`panel model-card${model.active ? ' model-card-active' : ''}`} aria-label={`${model.product} ${model.version}${model.active ? ', active' : ''}`}>
      <header class="model-card-header">
        <h3 class="mono">{model.version}</h3>
        {model.active ? <span class="badge badge-active">Active</span> : <span class="badge badge-idle">Inactive</span>}
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
          {model.input.policy} {model.input.size}px
        </dd>
      </dl>
      <h4 class="subheading">Validation</h4>
      {metrics.length === 0 ? (
        <p class="muted small">No validation metrics were recorded for this version.</p>
      ) : (
        <ul class="metric-list">
          {metrics.map(([name, value]) => (
            <li key={name} class="metric">
              <span class="metric-name">{name}</span>
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
    </article>
  );
}
