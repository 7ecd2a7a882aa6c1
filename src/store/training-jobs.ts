/**
 * Training jobs: one row per job, from queued to a final status. The row holds what a client
 * needs to show a job (stage, progress, warnings, error, the version it produced) and what the
 * scheduler needs to resume after a restart (the queue order, the recipe, the runner's pid).
 */
import type { Db } from './database.js';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/** Where a job's images came from. */
export interface JobSource {
  kind: 'upload' | 'folder';
  /** The server folder (kind 'folder'). */
  folder?: string;
  /** Images of the upload or folder. */
  images: number;
  /** Images from the product's good set (false alarms QA added) trained on as well. */
  goodSetImages: number;
}

export interface NewTrainingJob {
  id: string;
  productId: string;
  version: string;
  /** The training recipe, as JSON the jobs layer parses. */
  config: unknown;
  source: JobSource;
  warnings: string[];
  createdByKeyId: number | null;
  createdMs: number;
}

export interface TrainingJobRecord extends NewTrainingJob {
  status: JobStatus;
  stage: string | null;
  progress: number;
  message: string | null;
  modelVersionId: number | null;
  error: string | null;
  /** The creator key's public prefix. */
  createdBy: string | null;
  startedMs: number | null;
  finishedMs: number | null;
  pid: number | null;
}

interface Row {
  id: string;
  product_id: string;
  version: string;
  status: JobStatus;
  stage: string | null;
  progress: number;
  message: string | null;
  config: string;
  source: string;
  warnings: string;
  model_version_id: number | null;
  error: string | null;
  created_by_key_id: number | null;
  created_by: string | null;
  created_ms: number;
  started_ms: number | null;
  finished_ms: number | null;
  pid: number | null;
}

const SELECT = 'SELECT j.*, k.prefix AS created_by FROM training_jobs j LEFT JOIN api_keys k ON k.id = j.created_by_key_id';

const toRecord = (row: Row): TrainingJobRecord => ({
  id: row.id,
  productId: row.product_id,
  version: row.version,
  status: row.status,
  stage: row.stage,
  progress: row.progress,
  message: row.message,
  config: JSON.parse(row.config) as unknown,
  source: JSON.parse(row.source) as JobSource,
  warnings: JSON.parse(row.warnings) as string[],
  modelVersionId: row.model_version_id,
  error: row.error,
  createdByKeyId: row.created_by_key_id,
  createdBy: row.created_by,
  createdMs: row.created_ms,
  startedMs: row.started_ms,
  finishedMs: row.finished_ms,
  pid: row.pid,
});

export interface JobFilter {
  product?: string;
  status?: JobStatus;
}

export class TrainingJobStore {
  constructor(private readonly db: Db) {}

  create(job: NewTrainingJob): TrainingJobRecord {
    this.db
      .prepare(
        `INSERT INTO training_jobs (id, product_id, version, status, config, source, warnings, created_by_key_id, created_ms)
         VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)`,
      )
      .run(job.id, job.productId, job.version, JSON.stringify(job.config), JSON.stringify(job.source), JSON.stringify(job.warnings), job.createdByKeyId, job.createdMs);
    return this.get(job.id) as TrainingJobRecord;
  }

  get(id: string): TrainingJobRecord | null {
    const row = this.db.prepare(`${SELECT} WHERE j.id = ?`).get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** Newest first. */
  list(filter: JobFilter, limit: number): TrainingJobRecord[] {
    const rows = this.db
      .prepare(`${SELECT} WHERE (@product IS NULL OR j.product_id = @product) AND (@status IS NULL OR j.status = @status) ORDER BY j.created_ms DESC, j.id DESC LIMIT @limit`)
      .all({ product: filter.product ?? null, status: filter.status ?? null, limit }) as Row[];
    return rows.map(toRecord);
  }

  /** Jobs in one status, oldest first (the queue order for 'queued'). */
  withStatus(status: JobStatus): TrainingJobRecord[] {
    return (this.db.prepare(`${SELECT} WHERE j.status = ? ORDER BY j.created_ms, j.id`).all(status) as Row[]).map(toRecord);
  }

  /** Versions that queued or running jobs will produce for the product: taken, though not yet on disk. */
  pendingVersions(productId: string): string[] {
    return this.db.prepare("SELECT version FROM training_jobs WHERE product_id = ? AND status IN ('queued', 'running')").pluck().all(productId) as string[];
  }

  markRunning(id: string, now = Date.now()): void {
    this.db.prepare("UPDATE training_jobs SET status = 'running', started_ms = ?, progress = 0 WHERE id = ? AND status = 'queued'").run(now, id);
  }

  /** The runner process's id, to find an orphan after a crash. */
  setPid(id: string, pid: number): void {
    this.db.prepare('UPDATE training_jobs SET pid = ? WHERE id = ?').run(pid, id);
  }

  progress(id: string, stage: string, progress: number, message: string): void {
    this.db.prepare('UPDATE training_jobs SET stage = ?, progress = ?, message = ? WHERE id = ?').run(stage, Math.min(1, Math.max(0, progress)), message, id);
  }

  addWarning(id: string, warning: string): void {
    this.db.prepare('UPDATE training_jobs SET warnings = json_insert(warnings, \'$[#]\', ?) WHERE id = ?').run(warning, id);
  }

  /** Move a job that is not final yet to a final status. False when it already was final. */
  finish(id: string, status: Exclude<JobStatus, 'queued' | 'running'>, outcome: { error?: string; modelVersionId?: number }, now = Date.now()): boolean {
    const result = this.db
      .prepare(
        `UPDATE training_jobs SET status = ?, error = ?, model_version_id = ?, finished_ms = ?, pid = NULL,
           progress = CASE WHEN ? = 'succeeded' THEN 1 ELSE progress END
         WHERE id = ? AND status IN ('queued', 'running')`,
      )
      .run(status, outcome.error ?? null, outcome.modelVersionId ?? null, now, status, id);
    return result.changes > 0;
  }
}
