/**
 * One product on the Models page: which version decides now, which scores in shadow mode and
 * how often it disagrees, the way to retrain and (admins) to roll back; its versions as cards;
 * its recent training jobs, refreshed while one is queued or running.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { ModelSummary } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { AdminAction } from '../components/admin-action.js';
import { Link } from '../routing/router.js';
import { canTrain } from '../session/roles.js';
import { useSession } from '../session/session-context.js';
import { isFinished } from '../training/job-status.js';
import { GoodSetWaiting } from './good-set-waiting.js';
import { ModelCard } from './model-card.js';
import { TrainingJobsTable } from './training-jobs-table.js';
import { versionRole } from './version-role.js';

const RECENT_JOBS = 5;
const JOB_POLL_MS = 2000;

interface ProductModelsProps {
  product: string;
  versions: ModelSummary[];
  /** Reload the page's products and versions after a change made here. */
  onChanged(): void;
}

export function ProductModels({ product, versions, onChanged }: ProductModelsProps) {
  const { api, identity } = useSession();
  // what the shadow status depends on, as one comparable value
  const lineup = versions.map((model) => `${model.version}:${model.active}`).join(',');
  const shadow = useLoad(() => api.shadow(product), [api, product, lineup]);
  const jobs = useLoad(() => api.jobs({ product, limit: RECENT_JOBS }), [api, product]);
  const busy = (jobs.data ?? []).some((job) => !isFinished(job.status));
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(jobs.reload, JOB_POLL_MS);
    return () => clearInterval(timer);
  }, [busy, jobs.reload]);
  // a job that ends while the page is open may add a version
  const running = (jobs.data ?? []).filter((job) => !isFinished(job.status)).map((job) => job.id);
  const wasRunning = useRef<string[]>([]);
  useEffect(() => {
    if (wasRunning.current.some((id) => !running.includes(id))) onChanged();
    wasRunning.current = running;
  }, [running.join(',')]);

  const active = versions.find((model) => model.active);
  const shadowVersion = shadow.data?.shadowVersion ?? null;
  const summary = shadow.data?.summary;
  const candidates = versions.filter((model) => versionRole(model, shadowVersion, active) === 'candidate').length;
  const base = `/models/${encodeURIComponent(product)}`;

  return (
    <section class="product-models" aria-labelledby={`product-${product}`}>
      <header class="product-header">
        <h2 id={`product-${product}`}>{product}</h2>
        <div class="lifecycle-strip">
          <span class="lifecycle-item">
            <span class="lifecycle-label">Active</span>
            {active ? (
              <Link to={`${base}/${encodeURIComponent(active.version)}`} class="mono">
                {active.version}
              </Link>
            ) : (
              <span class="muted">none</span>
            )}
          </span>
          <span class="lifecycle-item">
            <span class="lifecycle-label">Shadow</span>
            {shadowVersion ? (
              <>
                <Link to={`${base}/${encodeURIComponent(shadowVersion)}/shadow`} class="mono">
                  {shadowVersion}
                </Link>
                {summary && (
                  <span class="muted small">
                    {summary.scored} scored · <strong class={summary.disagreements > 0 ? 'warning-text' : undefined}>{summary.disagreements} disagreements</strong>
                  </span>
                )}
              </>
            ) : (
              <span class="muted">none</span>
            )}
          </span>
          <GoodSetWaiting product={product} />
          {candidates > 0 && (
            <span class="lifecycle-item">
              <span class="lifecycle-label">Candidates</span>
              <span class="num">{candidates}</span>
            </span>
          )}
        </div>
        <div class="product-actions">
          {canTrain(identity) && (
            <Link to={`/training?product=${encodeURIComponent(product)}`} class="button">
              Retrain…
            </Link>
          )}
          <AdminAction
            label="Roll back…"
            disabled={!active || versions.length < 2}
            disabledReason="There is no earlier version"
            dialogTitle={`Roll back ${product}`}
            confirmLabel="Roll back"
            onConfirm={async (reason) => {
              await api.rollback(product, reason);
              onChanged();
            }}
          >
            <p>
              The version that was active before <strong class="mono">{active?.version}</strong> becomes active again. It is loaded and warmed first; new
              inspections are decided by it from then on.
            </p>
          </AdminAction>
        </div>
      </header>
      {versions.length === 0 ? (
        <p class="panel muted">No version yet: the first training job's version becomes active.</p>
      ) : (
        <div class="version-grid">
          {versions.map((model) => (
            <ModelCard key={model.version} model={model} role={versionRole(model, shadowVersion, active)} />
          ))}
        </div>
      )}
      <div class="panel jobs-panel">
        <h3 class="subheading">Training jobs</h3>
        {jobs.error && (
          <p class="form-error" role="alert">
            {jobs.error.message}
          </p>
        )}
        {jobs.data && <TrainingJobsTable product={product} jobs={jobs.data} />}
      </div>
    </section>
  );
}
