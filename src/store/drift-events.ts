/**
 * Drift events: a camera (product, line, camera) whose rolling window moved away from its model's
 * reference on one measure, or whose NG rate rose above its recent baseline. An event opens when
 * the check first fails and is resolved once the window is back within the limit.
 */
import type { Db } from './database.js';

export const DRIFT_EVENT_MEASURES = ['rawScore', 'brightness', 'contrast', 'focus', 'saturation', 'ngRate'] as const;
export type DriftEventMeasure = (typeof DRIFT_EVENT_MEASURES)[number];

/** Where a window is kept: line and camera are '' for none (as in the rollups). */
export interface CameraKey {
  productId: string;
  line: string;
  camera: string;
}

export const cameraKeyOf = (of: { productId: string; line: string | null; camera: string | null }): CameraKey => ({
  productId: of.productId,
  line: of.line ?? '',
  camera: of.camera ?? '',
});

export interface NewDriftEvent extends CameraKey {
  modelVersionId: number;
  measure: DriftEventMeasure;
  /** The test's statistic and the limit it went over: KS distance, or -log10 p for the NG rate. */
  statistic: number;
  limit: number;
  /** Median at calibration, and of the frames since the move began (the baseline's and the window's NG rate for ngRate). */
  referenceValue: number;
  observedValue: number;
  windowSize: number;
  recentFrames: number;
  /** When the move began, as far as the window tells. */
  sinceMs: number;
  detectedMs: number;
  /** The inspection whose arrival completed the evidence. */
  inspectionId: string;
}

export interface DriftEvent extends NewDriftEvent {
  id: number;
  modelVersion: string;
  resolvedMs: number | null;
}

interface Row {
  id: number;
  product_id: string;
  line: string;
  camera: string;
  model_version_id: number;
  model_version: string;
  measure: DriftEventMeasure;
  statistic: number;
  limit: number;
  reference_value: number;
  observed_value: number;
  window_size: number;
  recent_frames: number;
  since_ms: number;
  detected_ms: number;
  inspection_id: string;
  resolved_ms: number | null;
}

const toEvent = (row: Row): DriftEvent => ({
  id: row.id,
  productId: row.product_id,
  line: row.line,
  camera: row.camera,
  modelVersionId: row.model_version_id,
  modelVersion: row.model_version,
  measure: row.measure,
  statistic: row.statistic,
  limit: row.limit,
  referenceValue: row.reference_value,
  observedValue: row.observed_value,
  windowSize: row.window_size,
  recentFrames: row.recent_frames,
  sinceMs: row.since_ms,
  detectedMs: row.detected_ms,
  inspectionId: row.inspection_id,
  resolvedMs: row.resolved_ms,
});

const SELECT = 'SELECT e.*, v.version AS model_version FROM drift_events e JOIN model_versions v ON v.id = e.model_version_id';

export interface DriftEventQuery {
  productId: string;
  line?: string;
  camera?: string;
  openOnly?: boolean;
  /** Events with a smaller id (paging, newest first). */
  beforeId?: number;
  limit: number;
}

export class DriftEventStore {
  constructor(private readonly db: Db) {}

  open(event: NewDriftEvent): DriftEvent {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO drift_events (product_id, line, camera, model_version_id, measure, statistic, "limit", reference_value, observed_value,
           window_size, recent_frames, since_ms, detected_ms, inspection_id)
         VALUES (@productId, @line, @camera, @modelVersionId, @measure, @statistic, @limit, @referenceValue, @observedValue,
           @windowSize, @recentFrames, @sinceMs, @detectedMs, @inspectionId)`,
      )
      .run(event);
    return this.get(Number(lastInsertRowid))!;
  }

  resolve(id: number, now = Date.now()): void {
    this.db.prepare('UPDATE drift_events SET resolved_ms = ? WHERE id = ? AND resolved_ms IS NULL').run(now, id);
  }

  get(id: number): DriftEvent | null {
    const row = this.db.prepare(`${SELECT} WHERE e.id = ?`).get(id) as Row | undefined;
    return row ? toEvent(row) : null;
  }

  /** Every open event, or one camera's (to restore the monitor's state at a start, or after a rollback). */
  openEvents(key?: CameraKey): DriftEvent[] {
    const rows = this.db
      .prepare(
        `${SELECT} WHERE e.resolved_ms IS NULL AND (@productId IS NULL OR (e.product_id = @productId AND e.line = @line AND e.camera = @camera)) ORDER BY e.id`,
      )
      .all({ productId: null, line: null, camera: null, ...key }) as Row[];
    return rows.map(toEvent);
  }

  /** Newest first. */
  list(query: DriftEventQuery): DriftEvent[] {
    const rows = this.db
      .prepare(
        `${SELECT} WHERE e.product_id = @productId AND (@line IS NULL OR e.line = @line) AND (@camera IS NULL OR e.camera = @camera)
           AND (@openOnly = 0 OR e.resolved_ms IS NULL) AND (@beforeId IS NULL OR e.id < @beforeId)
         ORDER BY e.id DESC LIMIT @limit`,
      )
      .all({ productId: query.productId, line: query.line ?? null, camera: query.camera ?? null, openOnly: query.openOnly ? 1 : 0, beforeId: query.beforeId ?? null, limit: query.limit }) as Row[];
    return rows.map(toEvent);
  }
}
