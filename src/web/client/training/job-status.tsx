/** A training job's status in words with a shape (a dot, a ring, a tick...), never colour alone. */
import type { JobStatus } from '../api/types.js';

const LABELS: Record<JobStatus, string> = { queued: 'Queued', running: 'Running', succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled' };

export function isFinished(status: JobStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return <span class={`job-status job-status-${status}`}>{LABELS[status]}</span>;
}
