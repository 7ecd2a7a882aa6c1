/**
 * A product's good set: inspection images QA judged good (false alarms, mostly) and copied under
 * the data directory, so the product's next training job learns them, until a trainer removes
 * one. One row per inspection.
 */
import type { Db } from './database.js';

export interface GoodSetImage {
  id: number;
  productId: string;
  inspectionId: string;
  /** Path of the copy, relative to the good-set folder of the product. */
  file: string;
  sha256: string;
  addedByKeyId: number | null;
  createdMs: number;
}

interface Row {
  id: number;
  product_id: string;
  inspection_id: string;
  file: string;
  sha256: string;
  added_by_key_id: number | null;
  created_ms: number;
}

const toImage = (row: Row): GoodSetImage => ({
  id: row.id,
  productId: row.product_id,
  inspectionId: row.inspection_id,
  file: row.file,
  sha256: row.sha256,
  addedByKeyId: row.added_by_key_id,
  createdMs: row.created_ms,
});

export class GoodSetStore {
  constructor(private readonly db: Db) {}

  /** Record the copy; the existing entry when the inspection was added before. */
  add(image: Omit<GoodSetImage, 'id'>): GoodSetImage {
    this.db
      .prepare(
        `INSERT INTO good_set_images (product_id, inspection_id, file, sha256, added_by_key_id, created_ms)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (inspection_id) DO NOTHING`,
      )
      .run(image.productId, image.inspectionId, image.file, image.sha256, image.addedByKeyId, image.createdMs);
    return this.byInspection(image.inspectionId) as GoodSetImage;
  }

  /** Delete the inspection's entry; the entry deleted, or null when there was none. */
  remove(inspectionId: string): GoodSetImage | null {
    const row = this.db.prepare('DELETE FROM good_set_images WHERE inspection_id = ? RETURNING *').get(inspectionId) as Row | undefined;
    return row ? toImage(row) : null;
  }

  byInspection(inspectionId: string): GoodSetImage | null {
    const row = this.db.prepare('SELECT * FROM good_set_images WHERE inspection_id = ?').get(inspectionId) as Row | undefined;
    return row ? toImage(row) : null;
  }

  /** Oldest first. */
  list(productId: string): GoodSetImage[] {
    return (this.db.prepare('SELECT * FROM good_set_images WHERE product_id = ? ORDER BY id').all(productId) as Row[]).map(toImage);
  }
}
