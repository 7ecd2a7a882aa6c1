/**
 * Reviewed inspections as labelled material: confirmed and missed defects are defective parts,
 * false alarms and confirmed OKs are good parts. Used to evaluate model versions (their stored
 * images) and to re-calibrate a version's threshold (the raw scores it gave them).
 */
import type { Db } from './database.js';

export type MaterialLabel = 'good' | 'defect';

/** review_state -> label; unreviewed inspections are no material. */
const LABEL_SQL = `CASE i.review_state WHEN 'true_defect' THEN 'defect' WHEN 'missed_defect' THEN 'defect' ELSE 'good' END`;

export interface LabelledScore {
  rawScore: number;
  label: MaterialLabel;
}

export interface LabelledImage {
  inspectionId: string;
  /** The stored original image's blob. */
  imageBlob: string;
  label: MaterialLabel;
}

/**
 * The raw scores a version gave to reviewed inspections: those it decided as the active version,
 * and those it scored in shadow mode.
 */
export function reviewedScores(db: Db, modelVersionId: number): LabelledScore[] {
  return db
    .prepare(
      `SELECT i.raw_score AS rawScore, ${LABEL_SQL} AS label FROM inspections i
         WHERE i.model_version_id = @version AND i.review_state <> 'unreviewed'
       UNION ALL
       SELECT s.raw_score AS rawScore, ${LABEL_SQL} AS label FROM shadow_results s JOIN inspections i ON i.id = s.inspection_id
         WHERE s.model_version_id = @version AND i.review_state <> 'unreviewed'`,
    )
    .all({ version: modelVersionId }) as LabelledScore[];
}

/**
 * The newest reviewed inspections of a product whose image is still stored, at most `perLabel`
 * of each label. Images QA moved into the good set are left out: they are training material now.
 */
export function reviewedImages(db: Db, productId: string, perLabel: number): LabelledImage[] {
  const select = db.prepare(
    `SELECT i.id AS inspectionId, i.image_blob AS imageBlob, ${LABEL_SQL} AS label FROM inspections i
     WHERE i.product_id = @product AND i.image_blob IS NOT NULL AND i.review_state IN (SELECT value FROM json_each(@states))
       AND NOT EXISTS (SELECT 1 FROM good_set_images g WHERE g.inspection_id = i.id)
     ORDER BY i.created_ms DESC, i.id DESC LIMIT @limit`,
  );
  return [
    ...(select.all({ product: productId, states: JSON.stringify(['false_alarm', 'ok']), limit: perLabel }) as LabelledImage[]),
    ...(select.all({ product: productId, states: JSON.stringify(['true_defect', 'missed_defect']), limit: perLabel }) as LabelledImage[]),
  ];
}
