/**
 * Image thresholds re-calibrated from reviewed inspections, without retraining: a history per
 * model version whose newest entry applies (null: back to the manifest's calibration). The
 * history stays, so every change can be traced besides its audit entry.
 */
import type { Db } from './database.js';

/** The override in force for a version. */
export interface ThresholdOverride {
  id: number;
  modelVersionId: number;
  /** Raw image threshold. */
  imageThreshold: number;
  reason: string;
  actorKeyId: number | null;
  createdMs: number;
}

interface Row {
  id: number;
  model_version_id: number;
  image_threshold: number | null;
  reason: string;
  actor_key_id: number | null;
  created_ms: number;
}

export class ThresholdOverrideStore {
  constructor(private readonly db: Db) {}

  /** Record a new threshold for the version; null restores the manifest's. */
  set(modelVersionId: number, imageThreshold: number | null, reason: string, actorKeyId: number | null, now = Date.now()): void {
    this.db
      .prepare('INSERT INTO threshold_overrides (model_version_id, image_threshold, reason, actor_key_id, created_ms) VALUES (?, ?, ?, ?, ?)')
      .run(modelVersionId, imageThreshold, reason, actorKeyId, now);
  }

  /** The override in force for the version, or null when the manifest's threshold applies. */
  current(modelVersionId: number): ThresholdOverride | null {
    const row = this.db.prepare('SELECT * FROM threshold_overrides WHERE model_version_id = ? ORDER BY id DESC LIMIT 1').get(modelVersionId) as Row | undefined;
    if (!row || row.image_threshold === null) return null;
    return {
      id: row.id,
      modelVersionId: row.model_version_id,
      imageThreshold: row.image_threshold,
      reason: row.reason,
      actorKeyId: row.actor_key_id,
      createdMs: row.created_ms,
    };
  }
}
