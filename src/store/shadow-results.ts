/**
 * What a shadow (candidate) version said about live inspections it scored beside the active
 * version: one row per inspection and version, and whether it disagreed with the decision the
 * camera got. Disagreements are what QA looks at before promoting a candidate.
 */
import type { Decision } from '../model/loaded-model.js';
import type { Db } from './database.js';

export interface ShadowResult {
  inspectionId: string;
  modelVersionId: number;
  decision: Decision;
  score: number;
  rawScore: number;
  threshold: number;
  disagrees: boolean;
  createdMs: number;
}

export interface ShadowSummary {
  scored: number;
  disagreements: number;
  /** The shadow said NG where the active version said OK. */
  shadowOnlyNg: number;
  /** The shadow said OK where the active version said NG. */
  shadowOnlyOk: number;
}

interface Row {
  inspection_id: string;
  model_version_id: number;
  decision: Decision;
  score: number;
  raw_score: number;
  threshold: number;
  disagrees: number;
  created_ms: number;
}

const toResult = (row: Row): ShadowResult => ({
  inspectionId: row.inspection_id,
  modelVersionId: row.model_version_id,
  decision: row.decision,
  score: row.score,
  rawScore: row.raw_score,
  threshold: row.threshold,
  disagrees: row.disagrees === 1,
  createdMs: row.created_ms,
});

export class ShadowResultStore {
  constructor(private readonly db: Db) {}

  insert(result: ShadowResult): void {
    this.db
      .prepare(
        `INSERT INTO shadow_results (inspection_id, model_version_id, decision, score, raw_score, threshold, disagrees, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(result.inspectionId, result.modelVersionId, result.decision, result.score, result.rawScore, result.threshold, result.disagrees ? 1 : 0, result.createdMs);
  }

  summary(modelVersionId: number): ShadowSummary {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS scored, COALESCE(SUM(disagrees), 0) AS disagreements,
           COALESCE(SUM(disagrees AND decision = 'NG'), 0) AS shadowOnlyNg, COALESCE(SUM(disagrees AND decision = 'OK'), 0) AS shadowOnlyOk
         FROM shadow_results WHERE model_version_id = ?`,
      )
      .get(modelVersionId) as ShadowSummary;
    return { ...row };
  }

  /** Newest first (inspection ids sort by time), `limit` results older than inspection `before`. */
  list(modelVersionId: number, onlyDisagreements: boolean, limit: number, before: string | null): ShadowResult[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM shadow_results WHERE model_version_id = @version AND (@all OR disagrees = 1) AND (@before IS NULL OR inspection_id < @before)
         ORDER BY inspection_id DESC LIMIT @limit`,
      )
      .all({ version: modelVersionId, all: onlyDisagreements ? 0 : 1, before, limit }) as Row[];
    return rows.map(toResult);
  }
}
