/**
 * One training job, live: overall progress, its stages, warnings, the queue position while it
 * waits, a Cancel button, and when it ends, what became of the new version (active, or in
 * shadow mode beside the active one) with the way to its comparison.
 */
import { useState } from 'preact/hooks';
import type { Job } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { ProgressBar } from '../components/progress-bar.js';
import { formatDuration, formatInput, formatKey, formatPercent, formatTime } from '../format.js';
import { Link } from '../routing/router.js';
import { canCancel } from '../session/roles.js';
import { useSession } from '../session/session-context.js';
import { isFinished, JobStatusBadge } from './job-status.js';
import { StageSteps } from './stage-steps.js';
import { STAGES } from './stages.js';
import { useLiveJob, type LiveJob } from './use-live-job.js';
import { BackLink } from '../components/back-link.js';

export function JobPage({ id }: { id: string }) {
  const live = useLiveJob(id);
  const { job } = live;

  return (
    <div class="page page-wide">
      <header class="page-header">
        <div>
          <BackLink to="/models" label="Models" />
          <h1 class="title-with-badge">
            Training job <span class="mono">{id}</span>
            {job && <JobStatusBadge status={job.status} />}
          </h1>
          {job && (
            <p class="page-subtitle">
              Product <strong>{job.product}</strong>, new version <span class="mono">{job.version}</span>
            </p>
          )}
        </div>
      </header>
      {live.error && !job && (
        <p class="form-error" role="alert">
          {live.error.message}
        </p>
      )}
      {job && (
        <div class="job-layout">
          <div class="job-main">
            <ProgressPanel job={job} live={live} />
            {isFinished(job.status) && <OutcomePanel job={job} />}
            {job.warnings.length > 0 && (
              <section class="panel warning-panel" aria-labelledby="warnings-heading">
                <h2 id="warnings-heading">
                  {job.warnings.length} warning{job.warnings.length === 1 ? '' : 's'}
                </h2>
                <ul class="warning-list">
                  {job.warnings.map((warning) => (
                    <li key={warning}>{warning}</li>
                  ))}
                </ul>
              </section>
            )}
          </div>
          <JobFacts job={job} />
        </div>
      )}
    </div>
  );
}

function ProgressPanel({ job, live }: { job: Job; live: LiveJob }) {
  const { api, identity } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const finished = isFinished(job.status);
  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    try {
      live.update(await api.cancelJob(job.id));
    } catch (error) {
      setCancelError(`Not cancelled: ${(error as Error).message}`);
    } finally {
      setCancelling(false);
      setConfirming(false);
    }
  };
  const tone = job.status === 'succeeded' ? 'done' : job.status === 'failed' ? 'failed' : finished ? 'idle' : 'active';

  return (
    <section class="panel progress-panel" aria-labelledby="progress-heading" aria-busy={!finished}>
      <div class="panel-heading">
        <h2 id="progress-heading">Progress</h2>
        {live.reconnecting && (
          <span class="warning-text small" role="status">
            Connection lost, resuming…
          </span>
        )}
      </div>
      <ProgressBar value={job.progress} label="Training progress" tone={tone} />
      <p class="job-message" role="status" aria-live="polite">
        {job.status === 'queued'
          ? job.queuePosition === 1
            ? 'Queued: next to start, when a running job ends.'
            : `Queued: position ${job.queuePosition ?? '–'} in the queue.`
          : job.status === 'running'
            ? job.message
              ? `${STAGES.find((stage) => stage.id === job.stage)?.label ?? job.stage}: ${job.message}`
              : 'Starting…'
            : job.status === 'succeeded'
              ? `Done in ${formatDuration(Date.parse(job.finishedAt ?? job.createdAt) - Date.parse(job.startedAt ?? job.createdAt))}.`
              : job.status === 'cancelled'
                ? 'Cancelled.'
                : 'Failed.'}
      </p>
      <StageSteps job={job} stages={live.stages} />
      {!finished && canCancel(identity, job) && (
        <div class="cancel-row">
          {confirming ? (
            <>
              <span>Stop this job? Nothing of it is kept.</span>
              <button type="button" class="button button-danger" onClick={() => void cancel()} disabled={cancelling} autoFocus>
                {cancelling ? 'Cancelling…' : 'Yes, cancel the job'}
              </button>
              <button type="button" class="button" onClick={() => setConfirming(false)}>
                Keep training
              </button>
            </>
          ) : (
            <button type="button" class="button" onClick={() => setConfirming(true)}>
              Cancel job…
            </button>
          )}
        </div>
      )}
      {cancelError && (
        <p class="form-error" role="alert">
          {cancelError}
        </p>
      )}
    </section>
  );
}

/** What the job left behind: a version and where it stands now, or why there is none. */
function OutcomePanel({ job }: { job: Job }) {
  const { api } = useSession();
  const version = job.modelVersion;
  const shadow = useLoad(() => (version ? api.shadow(job.product) : Promise.resolve(null)), [api, job.product, version]);
  if (job.status === 'failed') {
    return (
      <section class="panel outcome outcome-failed" role="alert" aria-labelledby="outcome-heading">
        <h2 id="outcome-heading">Training failed</h2>
        <p>{job.error ?? 'The job ended without saying why.'}</p>
        <p class="muted small">No model version was kept. Fix the cause, then start a new job.</p>
      </section>
    );
  }
  if (job.status === 'cancelled' || !version) {
    return (
      <section class="panel outcome" aria-labelledby="outcome-heading">
        <h2 id="outcome-heading">Cancelled</h2>
        <p>The job was stopped; nothing of it was kept.</p>
      </section>
    );
  }
  const status = shadow.data;
  const placement =
    status?.activeVersion === version
      ? 'It is the active version now: it decides new inspections.'
      : status?.shadowVersion === version
        ? `It scores live traffic in shadow mode beside the active version ${status.activeVersion ?? ''}, without deciding anything. Compare the two; an admin promotes it.`
        : status?.activeVersion === null
          ? `${job.product} has no active version yet: an admin activates this one.`
          : 'Compare it with the active version; an admin can promote it.';
  return (
    <section class="panel outcome outcome-succeeded" aria-labelledby="outcome-heading">
      <h2 id="outcome-heading">
        Version <span class="mono">{version}</span> is ready
      </h2>
      <p>{status ? placement : 'Looking up where it stands…'}</p>
      <div class="button-row">
        <Link to={`/models/${job.product}/${version}`} class="button button-primary">
          Open the comparison →
        </Link>
        <Link to={`/models/${job.product}/${version}/shadow`} class="button">
          Shadow results
        </Link>
      </div>
    </section>
  );
}

function JobFacts({ job }: { job: Job }) {
  const { source, recipe } = job;
  return (
    <aside class="panel job-facts" aria-labelledby="job-facts-heading">
      <h2 id="job-facts-heading">Details</h2>
      <dl class="facts facts-compact">
        <dt>Images</dt>
        <dd>
          {source.images} {source.kind === 'folder' ? `from ${source.folder ?? 'a server folder'}` : 'uploaded'}
          {source.goodSetImages > 0 && ` + ${source.goodSetImages} from the good set`}
        </dd>
        <dt>Method</dt>
        <dd>
          {recipe.method} on {recipe.backbone}
        </dd>
        <dt>Input</dt>
        <dd>
          {formatInput(recipe.input)}
        </dd>
        <dt>Held out</dt>
        <dd>{formatPercent(recipe.validationFraction, 0)} of the images, for calibration and evaluation</dd>
        <dt>False calls</dt>
        <dd>target {formatPercent(recipe.falseCallRate, 1)} of good parts</dd>
        <dt>Recipe</dt>
        <dd>{recipe.basedOn === 'defaults' ? 'kensa defaults' : `as ${recipe.basedOn}`}</dd>
        <dt>Seed</dt>
        <dd class="num">{recipe.seed}</dd>
        <dt>Started by</dt>
        <dd>{formatKey(job.createdBy)}</dd>
        <dt>Queued</dt>
        <dd>{formatTime(job.createdAt)}</dd>
        {job.startedAt && (
          <>
            <dt>Started</dt>
            <dd>{formatTime(job.startedAt)}</dd>
          </>
        )}
        {job.finishedAt && (
          <>
            <dt>Ended</dt>
            <dd>{formatTime(job.finishedAt)}</dd>
          </>
        )}
      </dl>
    </aside>
  );
}
