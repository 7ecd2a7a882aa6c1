/** A product's recent training jobs: what each is doing or did, who started it and when. Each row opens the job. */
import type { Job } from '../api/types.js';
import { ProgressBar } from '../components/progress-bar.js';
import { formatDuration, formatKey, formatTime } from '../format.js';
import { Link } from '../routing/router.js';
import { isFinished, JobStatusBadge } from '../training/job-status.js';

function took(job: Job): string {
  if (!job.startedAt) return '–';
  return formatDuration(Date.parse(job.finishedAt ?? new Date().toISOString()) - Date.parse(job.startedAt));
}

export function TrainingJobsTable({ product, jobs }: { product: string; jobs: Job[] }) {
  if (jobs.length === 0) return <p class="muted small">No training jobs for {product} yet.</p>;
  return (
    <table class="data-table jobs-table">
      <caption class="visually-hidden">Training jobs of {product}, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Version</th>
          <th scope="col">Images</th>
          <th scope="col">Progress</th>
          <th scope="col">Started by</th>
          <th scope="col">Queued at</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.id}>
            <td>
              <JobStatusBadge status={job.status} />
            </td>
            <td>
              <Link to={`/training/${job.id}`} class="row-link mono">
                {job.version}
              </Link>
            </td>
            <td class="num">
              {job.source.images}
              {job.source.goodSetImages > 0 && <span class="muted"> + {job.source.goodSetImages} good set</span>}
            </td>
            <td class="cell-progress">
              {isFinished(job.status) ? (
                <span class="muted">{job.status === 'failed' ? (job.error ?? 'failed') : took(job)}</span>
              ) : job.status === 'queued' ? (
                <span class="muted">position {job.queuePosition ?? '–'}</span>
              ) : (
                <ProgressBar value={job.progress} label={`Progress of ${job.version}`} />
              )}
            </td>
            <td>{formatKey(job.createdBy)}</td>
            <td class="num">{formatTime(job.createdAt).slice(0, 16)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
