/**
 * Reviewed good images waiting for a retrain: the product's good-set images, reviewed as false
 * alarms or confirmed OK, added after the active model's training job was queued (the job linked
 * the good set as it was then), or after the version was registered when no job made it.
 */
import type { Db } from './database.js';

export function goodSetWaiting(db: Db, productId: string): { waiting: number; sinceMs: number | null } {
  const sinceMs = db
    .prepare(
      `SELECT COALESCE(
         (SELECT MAX(j.created_ms) FROM training_jobs j JOIN products p ON p.active_model_id = j.model_version_id WHERE p.id = @product),
         (SELECT v.registered_ms FROM products p JOIN model_versions v ON v.id = p.active_model_id WHERE p.id = @product))`,
    )
    .pluck()
    .get({ product: productId }) as number | null;
  const waiting = db
    .prepare(
      `SELECT COUNT(*) FROM good_set_images g JOIN inspections i ON i.id = g.inspection_id
       WHERE g.product_id = @product AND g.created_ms > @since AND i.review_state IN ('false_alarm', 'ok')`,
    )
    .pluck()
    .get({ product: productId, since: sinceMs ?? 0 }) as number;
  return { waiting, sinceMs };
}
