/**
 * Evaluations of model versions: a version (the candidate a training job produced) and the
 * version it was compared with (the active one when the job ran), both scored on the same
 * validation material. The comparison endpoint shows the newest evaluation of a version.
 */
import type { Db } from './database.js';

/** One version's image-level results on the material, at its own (effective) threshold. */
export interface EvaluationMetrics {
  /** The raw image threshold the decisions used. */
  threshold: number;
  goodImages: number;
  defectImages: number;
  /** Good images called NG. */
  falseCalls: number;
  /** falseCalls / goodImages; null without good images. */
  falseCallRate: number | null;
  /** Defective images called OK. */
  escapes: number;
  /** escapes / defectImages; null without defective images. */
  escapeRate: number | null;
  /** Ranking quality independent of the threshold; null unless both classes are present. */
  auroc: number | null;
}

/** What the material was made of. */
export interface EvaluationMaterial {
  /** Good images held out of the candidate's training. */
  heldOutGood: number;
  /** Inspections reviewed as false alarms or confirmed OK. */
  reviewedGood: number;
  /** Inspections reviewed as confirmed or missed defects. */
  reviewedDefect: number;
}

export interface ModelEvaluation {
  id: number;
  modelVersionId: number;
  baselineVersionId: number | null;
  jobId: string | null;
  material: EvaluationMaterial;
  metrics: EvaluationMetrics;
  baselineMetrics: EvaluationMetrics | null;
  createdMs: number;
}

interface Row {
  id: number;
  model_version_id: number;
  baseline_version_id: number | null;
  job_id: string | null;
  material: string;
  metrics: string;
  baseline_metrics: string | null;
  created_ms: number;
}

export class ModelEvaluationStore {
  constructor(private readonly db: Db) {}

  add(evaluation: Omit<ModelEvaluation, 'id'>): void {
    this.db
      .prepare(
        `INSERT INTO model_evaluations (model_version_id, baseline_version_id, job_id, material, metrics, baseline_metrics, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        evaluation.modelVersionId,
        evaluation.baselineVersionId,
        evaluation.jobId,
        JSON.stringify(evaluation.material),
        JSON.stringify(evaluation.metrics),
        evaluation.baselineMetrics ? JSON.stringify(evaluation.baselineMetrics) : null,
        evaluation.createdMs,
      );
  }

  latest(modelVersionId: number): ModelEvaluation | null {
    const row = this.db.prepare('SELECT * FROM model_evaluations WHERE model_version_id = ? ORDER BY id DESC LIMIT 1').get(modelVersionId) as Row | undefined;
    if (!row) return null;
    return {
      id: row.id,
      modelVersionId: row.model_version_id,
      baselineVersionId: row.baseline_version_id,
      jobId: row.job_id,
      material: JSON.parse(row.material) as EvaluationMaterial,
      metrics: JSON.parse(row.metrics) as EvaluationMetrics,
      baselineMetrics: row.baseline_metrics ? (JSON.parse(row.baseline_metrics) as EvaluationMetrics) : null,
      createdMs: row.created_ms,
    };
  }
}
