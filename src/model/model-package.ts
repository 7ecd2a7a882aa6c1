/**
 * A model package on disk: <dir>/model.onnx, <dir>/manifest.json and, for a model with a region
 * of interest, its mask as <dir>/roi.png (the model holds its own copy; this one is for people and
 * for retraining). Written to a temporary sibling and renamed into place, so a reader (a server
 * hot-swapping models, a crash mid-write) never sees half a package.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ManifestSchema, type Manifest } from './manifest.js';

export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FILE = 'manifest.json';
export const ROI_FILE = 'roi.png';

export interface ModelPackage {
  dir: string;
  manifest: Manifest;
  modelPath: string;
}

/** @param roiPng the region of interest's mask, for a model trained with one */
export async function writeModelPackage(dir: string, model: Uint8Array, manifest: Manifest, roiPng?: Uint8Array): Promise<ModelPackage> {
  const valid = ManifestSchema.parse(manifest);
  const staging = `${dir}.partial-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    await writeFile(path.join(staging, MODEL_FILE), model);
    await writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(valid, null, 2)}\n`);
    if (roiPng) await writeFile(path.join(staging, ROI_FILE), roiPng);
    await mkdir(path.dirname(dir), { recursive: true });
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { dir, manifest: valid, modelPath: path.join(dir, MODEL_FILE) };
}

export async function readModelPackage(dir: string): Promise<ModelPackage> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new Error(`${dir} is not a model package: it has no ${MANIFEST_FILE}`);
  }
  const parsed = ManifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${path.join(dir, MANIFEST_FILE)} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { dir, manifest: parsed.data, modelPath: path.join(dir, MODEL_FILE) };
}
