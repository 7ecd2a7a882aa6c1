/**
 * The event log of each training job (status changes, progress, warnings), in order. A client
 * that connects to a job's event stream late, or reconnects with Last-Event-ID, is replayed what
 * it missed from here before it gets live events.
 */
import type { Db } from './database.js';

export const JOB_EVENT_KINDS = ['status', 'progress', 'warning'] as const;
export type JobEventKind = (typeof JOB_EVENT_KINDS)[number];

export interface JobEvent {
  id: number;
  jobId: string;
  atMs: number;
  kind: JobEventKind;
  data: Record<string, unknown>;
}

interface Row {
  id: number;
  job_id: string;
  at_ms: number;
  kind: JobEventKind;
  data: string;
}

const toEvent = (row: Row): JobEvent => ({ id: row.id, jobId: row.job_id, atMs: row.at_ms, kind: row.kind, data: JSON.parse(row.data) as Record<string, unknown> });

export class TrainingJobEventStore {
  constructor(private readonly db: Db) {}

  append(jobId: string, kind: JobEventKind, data: Record<string, unknown>, now = Date.now()): JobEvent {
    const { lastInsertRowid } = this.db.prepare('INSERT INTO training_job_events (job_id, at_ms, kind, data) VALUES (?, ?, ?, ?)').run(jobId, now, kind, JSON.stringify(data));
    return { id: Number(lastInsertRowid), jobId, atMs: now, kind, data };
  }

  /** The job's events after event id `afterId` (all for 0), oldest first. */
  after(jobId: string, afterId: number): JobEvent[] {
    return (this.db.prepare('SELECT * FROM training_job_events WHERE job_id = ? AND id > ? ORDER BY id').all(jobId, afterId) as Row[]).map(toEvent);
  }
}
