/**
 * Thresholds from held-out good parts. The image threshold targets a false-call rate: it is the
 * larger of the empirical (1 - rate) quantile of the held-out scores and a robust normal fit's
 * (median + z * 1.4826 MAD), because a few dozen images cannot show a 1% tail on their own and
 * the fit alone underestimates a heavy right tail. The pixel threshold is the (1 - pixelRate)
 * quantile of every held-out good pixel, so a heatmap marks only what good parts rarely show.
 */
import { medianAbsoluteDeviation, median, probit, quantileSorted } from 'simple-statistics';
import type { Calibration } from './manifest.js';

/** Held-out good images a calibration needs at the least (a spread needs two). */
export const MIN_CALIBRATION_IMAGES = 2;

export interface CalibrationOptions {
  /** Target share of good parts called NG. */
  falseCallRate?: number;
  /** Target share of good-part pixels above the pixel threshold. */
  pixelFalseRate?: number;
}

/** Quantile and median of a large sample, sorted once (pixel maps run to millions of values). */
function sortedStats(values: Float32Array, q: number): { quantile: number; median: number } {
  const sorted = Float64Array.from(values).sort();
  const list = sorted as unknown as number[];
  return { quantile: quantileSorted(list, q), median: quantileSorted(list, 0.5) };
}

export function calibrate(imageScores: readonly number[], goodPixels: Float32Array, options: CalibrationOptions = {}): Calibration {
  if (imageScores.length < MIN_CALIBRATION_IMAGES) throw new Error(`calibration needs at least ${MIN_CALIBRATION_IMAGES} held-out good images, got ${imageScores.length}`);
  const rate = options.falseCallRate ?? 0.01;
  const pixelRate = options.pixelFalseRate ?? 0.001;
  const scores = [...imageScores].sort((a, b) => a - b);
  const center = median(scores);
  const robust = center + probit(1 - rate) * 1.4826 * medianAbsoluteDeviation(scores);
  const threshold = Math.max(quantileSorted(scores, 1 - rate), robust);
  // Scores are reported relative to (threshold - center): with no spread every part would be OK or NG by rounding.
  if (!(threshold > center)) throw new Error(`the ${scores.length} held-out good images all score ${center}: a threshold needs a spread of scores (more, and more varied, good images)`);
  const pixels = sortedStats(goodPixels, 1 - pixelRate);
  return {
    image: { threshold, center },
    pixel: { threshold: pixels.quantile, center: pixels.median },
    rule:
      `image: max of the ${(100 * (1 - rate)).toFixed(1)}th percentile and median + ${probit(1 - rate).toFixed(2)} x 1.4826 MAD ` +
      `of ${scores.length} held-out good images; pixel: ${(100 * (1 - pixelRate)).toFixed(2)}th percentile of their pixels`,
    expectedFalseCallRate: rate,
    images: scores.length,
  };
}
