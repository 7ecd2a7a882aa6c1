/**
 * What "normal" looked like when the model was made: quantiles of the raw score and of each
 * image-quality measure over the model's held-out calibration images, recorded in the model
 * package's manifest at training time. Drift is measured against it; a package written before
 * kensa recorded it has none, and its drift on these measures is unavailable (not assumed absent).
 */
import { quantileSorted } from 'simple-statistics';
import { z } from 'zod';
import type { ImageQuality, QualityMeasure } from './image-quality.js';

/** Quantiles at 0, 5%, ..., 100%: enough to draw a CDF, small enough to read in a manifest. */
export const REFERENCE_STEPS = 20;

const Quantiles = z.array(z.number()).length(REFERENCE_STEPS + 1);

export const LineReferenceSchema = z.object({
  /** Calibration images the quantiles come from (the reference's sample size in a two-sample test). */
  images: z.number().int().positive(),
  rawScore: Quantiles,
  brightness: Quantiles,
  contrast: Quantiles,
  focus: Quantiles,
  saturation: Quantiles,
});
export type LineReference = z.infer<typeof LineReferenceSchema>;

/** What drift compares with the reference: the raw score of parts decided OK, and each quality measure. */
export type DriftMeasure = 'rawScore' | QualityMeasure;

export interface CalibrationSample {
  rawScore: number;
  quality: ImageQuality;
}

export function buildReference(samples: readonly CalibrationSample[]): LineReference {
  if (samples.length === 0) throw new Error('a reference needs at least one calibration image');
  const quantiles = (values: number[]) => {
    const sorted = values.sort((a, b) => a - b);
    return Array.from({ length: REFERENCE_STEPS + 1 }, (_, k) => quantileSorted(sorted, k / REFERENCE_STEPS));
  };
  const of = (measure: QualityMeasure) => quantiles(samples.map((s) => s.quality[measure]));
  return {
    images: samples.length,
    rawScore: quantiles(samples.map((s) => s.rawScore)),
    brightness: of('brightness'),
    contrast: of('contrast'),
    focus: of('focus'),
    saturation: of('saturation'),
  };
}

/**
 * The reference's cumulative distribution at `x`, linear between its quantiles: P(X <= x), or
 * P(X < x) with `left`. The two differ where quantiles repeat (a measure that was the same on many
 * calibration images, such as no clipped pixels at all): there the reference has an atom.
 */
export function referenceCdf(quantiles: readonly number[], x: number, left = false): number {
  const last = quantiles.length - 1;
  if (left) {
    if (x <= quantiles[0]) return 0;
    if (x > quantiles[last]) return 1;
    let k = 1;
    while (quantiles[k] < x) k++;
    return (k - 1 + (x - quantiles[k - 1]) / (quantiles[k] - quantiles[k - 1])) / last;
  }
  if (x < quantiles[0]) return 0;
  if (x >= quantiles[last]) return 1;
  let k = last - 1;
  while (quantiles[k] > x) k--;
  return (k + (x - quantiles[k]) / (quantiles[k + 1] - quantiles[k])) / last;
}

/** The reference's median. */
export const referenceMedian = (quantiles: readonly number[]): number => quantiles[REFERENCE_STEPS / 2];
