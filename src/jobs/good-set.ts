/**
 * The feedback loop's first half: an inspection QA judged good (a false alarm, typically) is
 * copied from the blob store into its product's good set (<dataDir>/good-sets/<product>/), and
 * every later training job of the product trains on the good set besides its own images.
 */
import { copyFile, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from '../store/blob-store.js';
import type { GoodSetImage, GoodSetStore } from '../store/good-set.js';
import type { InspectionRecord } from '../store/inspections.js';
import { linkOrCopy, type JobFiles } from './job-files.js';

const EXTENSIONS: Record<string, string> = { jpeg: 'jpg', png: 'png', tiff: 'tif', webp: 'webp', bmp: 'bmp' };

type GoodSetDeps = { blobs: BlobStore; files: JobFiles; store: GoodSetStore };

/** Copies in progress, by inspection: a second request waits for the first instead of racing it to the same file. */
const copying = new Map<string, Promise<GoodSetImage>>();

/**
 * Copies the inspection's stored image into the good set. `added` is false when it was there
 * already, or another request was adding it: the caller records the review and audit once.
 */
export async function addToGoodSet(inspection: InspectionRecord, imageBlob: string, deps: GoodSetDeps, actorKeyId: number | null): Promise<{ image: GoodSetImage; added: boolean }> {
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
  // A copy, so the good set owns its file whatever retention does to the blob; renamed into place whole.
  const temp = `${target}.tmp-${process.pid}`;
  await mkdir(path.dirname(target), { recursive: true });
  await copyFile(deps.blobs.pathOf(imageBlob), temp);
  await rename(temp, target);
  return deps.store.add({ productId: inspection.productId, inspectionId: inspection.id, file, sha256: inspection.image.sha256, addedByKeyId: actorKeyId, createdMs: Date.now() });
}

/** Links the product's good set under `dest`; returns how many images it has. */
export async function linkGoodSet(productId: string, dest: string, deps: { files: JobFiles; store: GoodSetStore }): Promise<number> {
  const images = deps.store.list(productId);
  for (const image of images) await linkOrCopy(path.join(deps.files.goodSetDir(productId), image.file), path.join(dest, image.file));
  return images.length;
}
