/**
 * The feedback loop's second half: confirmed and missed defects (and reviewed good parts) of a
 * product become validation material. When a job starts, the newest reviewed inspections' stored
 * images are linked into the job's folder, so the material stays fixed while the job runs even if
 * retention removes the blobs meanwhile.
 */
import path from 'node:path';
import type { BlobStore } from '../store/blob-store.js';
import type { Db } from '../store/database.js';
import { reviewedImages } from '../store/review-material.js';
import { linkOrCopy } from './job-files.js';

/** Reviewed inspections taken per label: enough to compare versions, bounded in scoring time. */
const MATERIAL_PER_LABEL = 200;

export async function stageReviewedImages(db: Db, blobs: BlobStore, productId: string, dest: string): Promise<{ good: string[]; defect: string[] }> {
  const staged = { good: [] as string[], defect: [] as string[] };
  for (const image of reviewedImages(db, productId, MATERIAL_PER_LABEL)) {
    const target = path.join(dest, image.label, image.inspectionId);
    try {
      await linkOrCopy(blobs.pathOf(image.imageBlob), target);
    } catch (error) {
      // removed by retention since the query: one image less
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    staged[image.label].push(target);
  }
  return staged;
}
