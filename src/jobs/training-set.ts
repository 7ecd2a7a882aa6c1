/**
 * Staging a job's training set in its folder (<dataDir>/jobs/<id>/images/): the uploaded images
 * (zips extracted) or links to a server folder's images, plus the product's good set, then the
 * check that refuses a bad set before the job is queued. On any refusal the folder is removed.
 */
import path from 'node:path';
import type { Request, Response } from 'express';
import type { GoodSetStore } from '../store/good-set.js';
import type { JobSource } from '../store/training-jobs.js';
import { linkGoodSet } from './good-set.js';
import type { JobFiles } from './job-files.js';
import { linkFolderImages } from './server-folder.js';
import { checkTrainingImages } from './training-images.js';
import { receiveTrainingUpload } from './training-upload.js';

export interface StagingLimits {
  maxBytes: number;
  maxImages: number;
  maxPixels: number;
  /** Largest single image file (the largest upload the inspect endpoint takes). */
  maxImageBytes: number;
}

export interface StagingContext {
  files: JobFiles;
  goodSet: GoodSetStore;
  limits: StagingLimits;
}

export interface StagedSet {
  source: JobSource;
  warnings: string[];
}

export interface StagingRequest {
  jobId: string;
  productId: string;
  /** Train on the product's good set too. */
  includeGoodSet: boolean;
}

export function stageUpload(req: Request, res: Response, request: StagingRequest, context: StagingContext): Promise<StagedSet> {
  const { files, limits } = context;
  return staged(request, context, true, async (dest) => {
    await receiveTrainingUpload(req, res, dest, files.uploadDir(request.jobId), { maxBytes: limits.maxBytes, maxFiles: limits.maxImages, maxFileBytes: limits.maxImageBytes });
    return { source: { kind: 'upload' }, warnings: [] };
  });
}

/** `folder`: resolved and allowed already (see resolveTrainingFolder). */
export function stageFolder(folder: string, roots: readonly string[], request: StagingRequest, context: StagingContext): Promise<StagedSet> {
  return staged(request, context, false, async (dest) => ({ source: { kind: 'folder', folder }, warnings: await linkFolderImages(folder, dest, roots) }));
}

async function staged(
  request: StagingRequest,
  context: StagingContext,
  strict: boolean,
  collect: (dest: string) => Promise<{ source: Pick<JobSource, 'kind' | 'folder'>; warnings: string[] }>,
): Promise<StagedSet> {
  const { files, goodSet, limits } = context;
  const imagesDir = files.imagesDir(request.jobId);
  try {
    const collected = await collect(path.join(imagesDir, 'source'));
    const goodSetImages = request.includeGoodSet ? await linkGoodSet(request.productId, path.join(imagesDir, 'good-set'), { files, store: goodSet }) : 0;
    const check = await checkTrainingImages(imagesDir, { strict, maxImages: limits.maxImages, maxPixels: limits.maxPixels, maxImageBytes: limits.maxImageBytes });
    return {
      source: { ...collected.source, images: check.images - goodSetImages, goodSetImages },
      warnings: [...collected.warnings, ...check.warnings],
    };
  } catch (error) {
    await files.remove(request.jobId, request.productId);
    throw error;
  }
}
