/**
 * The MVTec AD folder layout, which every anomaly-detection tool reads:
 *
 *     train/good/000.png                 defect-free training images
 *     test/good/000.png                  defect-free test images (no masks)
 *     test/<defect>/000.png              defective test images
 *     ground_truth/<defect>/000_mask.png 0/255 masks, same size as the image
 *
 * plus dataset.json, which says how the folder was generated.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { listDirIfPresent } from '../util/if-present.js';
import type { Size } from './raster.js';

export type Split = 'train' | 'test';

/** Everything generated into a dataset folder; nothing else there is touched. */
const GENERATED = ['train', 'test', 'ground_truth', 'dataset.json'];

/** File stem for image `index` of `count`: 000, 001, ... as in MVTec AD, wider when needed. */
export function stem(index: number, count: number): string {
  return String(index).padStart(Math.max(3, String(count - 1).length), '0');
}

export function imagePath(root: string, split: Split, category: string, name: string): string {
  return path.join(root, split, category, `${name}.png`);
}

export function maskPath(root: string, category: string, name: string): string {
  return path.join(root, 'ground_truth', category, `${name}_mask.png`);
}

/**
 * Make `root` ready for a new dataset. A folder holding anything is refused unless `overwrite`,
 * and then only what a previous generation wrote is removed.
 */
export async function prepareRoot(root: string, overwrite: boolean): Promise<void> {
  const existing = await listDirIfPresent(root);
  if (existing.length > 0) {
    if (!overwrite) throw new Error(`synth: ${root} is not empty; overwrite it (--force) or choose another folder`);
    await Promise.all(GENERATED.map((name) => rm(path.join(root, name), { recursive: true, force: true })));
  }
  await mkdir(root, { recursive: true });
}

/** Lossless 8-bit PNG: grayscale for one channel (masks included), RGB for three. */
export async function writePng(file: string, pixels: Uint8Array, size: Size, channels: 1 | 3): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const image = sharp(pixels, { raw: { width: size.width, height: size.height, channels } });
  await (channels === 1 ? image.toColourspace('b-w') : image).png().toFile(file);
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}
