/**
 * The feedback loop's first half: an inspection QA judged good (a false alarm, typically) is
 * copied from the blob store into its product's good set (<dataDir>/good-sets/<product>/), and
 * every later training job of the product trains on the good set besides its own images, until
 * a trainer takes it out again.
 */
import path from 'node:path';
import type { BlobStore } from '../store/blob-store.js';
import type { Db } from '../store/database.js';
import type { GoodSetImage, GoodSetStore } from '../store/good-set.js';
import type { InspectionRecord } from '../store/inspections.js';
import { copyFileDurably, makeDirectoryDurably, removeFileDurably } from '../util/durable-file.js';
import { linkOrCopy, type JobFiles } from './job-files.js';

const EXTENSIONS: Record<string, string> = { jpeg: 'jpg', png: 'png', tiff: 'tif', webp: 'webp', bmp: 'bmp' };

type GoodSetDeps = { blobs: BlobStore; files: JobFiles; store: GoodSetStore };

/** Copies in progress, by inspection: a second request waits for the first instead of racing it to the same file. */
const copying = new Map<string, Promise<GoodSetImage>>();
/** Removals in progress, by inspection: an add waits for one, so that the removal cannot delete the add's new copy. */
const removing = new Map<string, Promise<void>>();

/**
 * Settles when `operation` does, whether it succeeded or failed. Callers await it only when there
 * is an operation to wait for: otherwise looking at the entry and claiming the inspection happen
 * in the same turn of the event loop as the call, so no other request comes in between.
 */
const settled = (operation: Promise<unknown>) => operation.then(() => undefined, () => undefined);

/**
 * Copies the inspection's stored image into the good set. `added` is false when it was there
 * already, or another request was adding it: the caller records the review and audit once.
 */
export async function addToGoodSet(inspection: InspectionRecord, imageBlob: string, deps: GoodSetDeps, actorKeyId: number | null): Promise<{ image: GoodSetImage; added: boolean }> {
  const removal = removing.get(inspection.id);
  if (removal) await settled(removal);
  const existing = deps.store.byInspection(inspection.id);
  if (existing) return { image: existing, added: false };
  const inFlight = copying.get(inspection.id);
  if (inFlight) return { image: await inFlight, added: false };
  const adding = copyIn(inspection, imageBlob, deps, actorKeyId).finally(() => copying.delete(inspection.id));
  copying.set(inspection.id, adding);
  return { image: await adding, added: true };
}

async function copyIn(inspection: InspectionRecord, imageBlob: string, deps: GoodSetDeps, actorKeyId: number | null): Promise<GoodSetImage> {
  const file = `${inspection.id}.${EXTENSIONS[inspection.image.format] ?? 'img'}`;
  const target = path.join(deps.files.goodSetDir(inspection.productId), file);
  // A copy, so the good set owns its file whatever retention does to the blob; renamed into place
  // whole, and on disk before the entry is answered: a power cut must not leave an entry whose
  // file is empty or missing (every later job of the product would fail on it).
  await makeDirectoryDurably(path.dirname(target));
  await copyFileDurably(deps.blobs.pathOf(imageBlob), target, `${target}.tmp-${process.pid}`);
  return deps.store.add({ productId: inspection.productId, inspectionId: inspection.id, file, sha256: inspection.image.sha256, addedByKeyId: actorKeyId, createdMs: Date.now() });
}

/**
 * Takes the inspection out of its product's good set and calls `audit` in the same transaction;
 * null when it is not in the good set. An add in progress finishes first. The entry goes before
 * its file: a crash between the two leaves a stray file, never an entry without its file (every
 * later job of the product would fail on it). Jobs staged already keep the image: they hold their
 * own link to it.
 */
export async function removeFromGoodSet(
  inspectionId: string,
  deps: { db: Db; files: JobFiles; store: GoodSetStore },
  audit: (image: GoodSetImage) => void,
): Promise<GoodSetImage | null> {
  const adding = copying.get(inspectionId);
  if (adding) await settled(adding);
  const image = deps.db.transaction(() => {
    const removed = deps.store.remove(inspectionId);
    if (removed) audit(removed);
    return removed;
  })();
  if (!image) return null;
  const removal = removeFileDurably(path.join(deps.files.goodSetDir(image.productId), image.file)).finally(() => removing.delete(inspectionId));
  removing.set(inspectionId, removal);
  await removal;
  return image;
}

/** Links the product's good set under `dest`; returns how many images it linked. */
export async function linkGoodSet(productId: string, dest: string, deps: { files: JobFiles; store: GoodSetStore }): Promise<number> {
  let linked = 0;
  for (const image of deps.store.list(productId)) {
    try {
      await linkOrCopy(path.join(deps.files.goodSetDir(productId), image.file), path.join(dest, image.file));
      linked++;
    } catch (error) {
      // taken out of the good set since the list was read
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !deps.store.byInspection(image.inspectionId)) continue;
      throw error;
    }
  }
  return linked;
}
