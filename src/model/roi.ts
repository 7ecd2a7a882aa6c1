/**
 * A region of interest: the part of the frame a model inspects, from a mask image in the original
 * image's coordinates (white: inspect; black or transparent: ignore). The mask may have any size:
 * it is stretched onto the whole frame, as the resize policies stretch the frame onto the model
 * input. The model keeps a reduced copy as a constant (the anomaly head resizes it to the energy
 * grid); the package keeps the mask itself as roi.png.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { z } from 'zod';
import { loadMask, resizePlane } from '../datasets/mask.js';
import { probeImage } from '../image/decode.js';
import type { Size } from '../image/resize-policy.js';

/** Long side of the copy inside the model: finer than any energy grid, small as a constant. */
const REDUCED_LONG_SIDE = 256;

/** The mask as the anomaly head takes it: the inspected share of each pixel, in [0, 1], row-major. */
export interface RoiMask extends Size {
  inspected: Float32Array;
}

export interface RegionOfInterest {
  /** At most REDUCED_LONG_SIDE on the long side. */
  reduced: RoiMask;
  /** Share of the frame's pixels inspected, in (0, 1]. */
  coverage: number;
  /** The binary mask at its own size as a single-channel PNG: the package's roi.png. */
  png: Buffer;
}

/** What manifest.training.config records of a region of interest: the mask's file in the package and the share inspected. */
export const RoiRecordSchema = z.object({ file: z.string().regex(/^[\w.-]+$/, 'a file name in the package'), coverage: z.number().gt(0).max(1) });
export type RoiRecord = z.infer<typeof RoiRecordSchema>;

/** Reads a mask image; refuses a file that is not an image and a mask that ignores the whole frame. */
export async function loadRoi(file: string): Promise<RegionOfInterest> {
  let binary: Uint8Array;
  let size: Size;
  try {
    const { width, height } = await probeImage(await readFile(file));
    size = { width, height };
    binary = await loadMask(file, 'original');
  } catch (error) {
    throw new Error(`region of interest ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const inspectedPixels = binary.reduce((sum, v) => sum + v, 0);
  if (inspectedPixels === 0) throw new Error(`region of interest ${file} ignores the whole frame: white marks the pixels to inspect, black those to ignore`);

  const scale = Math.min(1, REDUCED_LONG_SIDE / Math.max(size.width, size.height));
  const reducedSize = { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
  const inspected = resizePlane(Float32Array.from(binary), size, reducedSize, 'area');
  const png = await sharp(Buffer.from(binary.map((v) => v * 255)), { raw: { ...size, channels: 1 } }).toColourspace('b-w').png().toBuffer();
  return { reduced: { ...reducedSize, inspected }, coverage: inspectedPixels / binary.length, png };
}
