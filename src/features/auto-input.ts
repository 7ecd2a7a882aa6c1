/**
 * `--tile auto`, first half: the resolution. Tiling exists to inspect frames at their own
 * resolution, where a hairline is still a few pixels wide; the recipe's input (fill 320 by
 * default) squashes a 500 x 1260 strip to a third of its length. So when the training frames
 * share one aspect (within ASPECT_TOLERANCE) and the recipe would shrink them by more than
 * NATIVE_MARGIN, the fine pass takes them at their own size: a fill to the median frame's width
 * and height, so frames a few rows longer or shorter (strips cut from a line) still share one
 * feature grid and a per-position model; the coarse pass keeps the resolution the recipe's
 * coarse pass had (large faint defects are seen there: on synthetic strips at native size alone
 * stains fell to 0.742 image AUROC, with a coarse pass beside it 0.987). Frames of several
 * aspects (MTD's tiles) keep the recipe's input. Deciding again on a package's own recipe changes
 * nothing (its input is then native).
 */
import { targetSize, type Size } from '../image/resize-policy.js';
import type { InputSpec } from '../model/manifest.js';

/** The recipe's input is kept unless it shrinks the frames' short side by more than this. */
export const NATIVE_MARGIN = 1.25;
/** Frames whose width / height ratios differ by more than this are not one aspect. */
export const ASPECT_TOLERANCE = 1.05;
/**
 * The largest fine input chosen: training holds every image's feature grid (216 MobileNetV2
 * channels per stride-8 cell: 27 MB per image at 2 MP, 5.4 GB for 200 images).
 */
export const AUTO_MAX_PIXELS = 2_000_000;

export interface InputChoice {
  input: InputSpec;
  coarseScale?: number;
  /** Empty when the recipe's input was kept for want of a reason to change it. */
  reason: string;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const shortSide = (size: Size): number => Math.min(size.width, size.height);

/** The model input for training frames of these (oriented) sizes, given the recipe's input and coarse scale. */
export function chooseInput(frames: readonly Size[], recipe: InputSpec, coarseScale: number | undefined): InputChoice {
  if (frames.length === 0) throw new Error('chooseInput: no frame sizes');
  const keep = (reason: string): InputChoice => ({ input: recipe, ...(coarseScale === undefined ? {} : { coarseScale }), reason });
  const aspects = frames.map((f) => f.width / f.height);
  if (Math.max(...aspects) / Math.min(...aspects) > ASPECT_TOLERANCE) return keep('the training frames have several aspect ratios, so the recipe input is kept');
  const typical = { width: median(frames.map((f) => f.width)), height: median(frames.map((f) => f.height)) };
  const recipeShort = shortSide(targetSize(typical, recipe));
  if (shortSide(typical) <= recipeShort * NATIVE_MARGIN) return keep('');
  const shrink = Math.min(1, Math.sqrt(AUTO_MAX_PIXELS / (typical.width * typical.height)));
  const side = (v: number): number => Math.max(recipe.multiple, Math.round((v * shrink) / recipe.multiple) * recipe.multiple);
  const fine = { width: side(typical.width), height: side(typical.height) };
  const input: InputSpec = { policy: 'fill', size: fine.width, height: fine.height, multiple: recipe.multiple };
  const coarse = coarseScale === undefined ? undefined : (recipeShort * coarseScale) / shortSide(fine);
  const resolution = shrink < 1 ? `${fine.width}x${fine.height}, their own resolution capped at ${AUTO_MAX_PIXELS / 1e6} MP (training holds every image's features)` : `their own resolution, ${fine.width}x${fine.height}`;
  return {
    input,
    ...(coarse === undefined ? {} : { coarseScale: Number(coarse.toFixed(4)) }),
    reason: `the training frames (median ${typical.width}x${typical.height}) are taken at ${resolution}, not shrunk to the recipe's ${recipeShort} px short side${coarse === undefined ? '' : `; the coarse pass at ${Math.round(recipeShort * coarseScale!)} px short side`}`,
  };
}
